//! The layering rules of docs/architecture.md, checked on the source: a
//! change that makes a layer point the wrong way fails here, not in review.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its text up to its unit tests (tests
/// may reach across layers to set things up).
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                // Comments may name anything.
                let code = code
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push((path, code));
            }
        }
    }
    out.sort();
    out
}

fn offenders(dir: &str, forbidden: &[&str]) -> Vec<String> {
    sources(&src().join(dir))
        .into_iter()
        .flat_map(|(path, code)| {
            forbidden
                .iter()
                .filter(|word| code.contains(**word))
                .map(|word| format!("{} uses `{word}`", path.display()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_store_speaks_storage_not_http() {
    let found = offenders(
        "db",
        &[
            "ApiError",
            "crate::error",
            "crate::routes",
            "HttpResponse",
            "StatusCode",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn domain_types_depend_on_nothing_of_the_application() {
    let found = offenders(
        "domain",
        &[
            "crate::db",
            "crate::routes",
            "crate::error",
            "crate::state",
            "actix_web",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn handlers_run_no_queries_of_their_own() {
    let found = offenders("routes", &["diesel", "PgConnection", "crate::schema"]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn only_the_cli_assembles_the_server() {
    let found: Vec<String> = sources(&src())
        .into_iter()
        .filter(|(path, _)| {
            !path.ends_with("cli/mod.rs")
                && !path.ends_with("lib.rs")
                && !path.ends_with("startup.rs")
        })
        .filter(|(_, code)| code.contains("startup::") || code.contains("crate::startup"))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_http_error_type_knows_no_table_constraints() {
    let (_, code) = sources(&src())
        .into_iter()
        .find(|(path, _)| path.ends_with("src/error.rs"))
        .unwrap_or_else(|| panic!("src/error.rs is missing"));
    assert!(
        !code.contains("_fkey") && !code.contains("_key\""),
        "error.rs names constraints"
    );
}
