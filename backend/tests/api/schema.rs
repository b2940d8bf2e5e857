//! The committed `backend/src/schema.rs` must describe exactly what the
//! migrations create: same tables, columns, types and nullability.

use std::collections::BTreeMap;

use diesel::{sql_query, sql_types::Text, QueryableByName, RunQueryDsl};

use crate::helpers::TestDb;

type Columns = BTreeMap<String, BTreeMap<String, String>>;

/// Reads `diesel::table!` blocks: `name -> Type,` lines under `table (keys) {`.
fn from_schema_rs() -> Columns {
    let src = include_str!("../../src/schema.rs");
    let mut tables = Columns::new();
    let mut current: Option<String> = None;
    for line in src.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix('{') {
            let rest = rest.trim();
            if rest.ends_with(')') {
                let name = rest.split(['(', ' ']).next().unwrap().to_string();
                tables.insert(name.clone(), BTreeMap::new());
                current = Some(name);
            }
        } else if line == "}" {
            current = None;
        } else if let (Some(table), Some((col, ty))) = (&current, line.split_once("->")) {
            let ty = ty.trim().trim_end_matches(',').to_string();
            tables
                .get_mut(table)
                .unwrap()
                .insert(col.trim().to_string(), ty);
        }
    }
    tables
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn diesel_type(udt: &str) -> String {
    match udt {
        "int8" => "Int8",
        "int4" => "Int4",
        "int2" => "Int2",
        "text" => "Text",
        "varchar" => "Varchar",
        "bool" => "Bool",
        "timestamptz" => "Timestamptz",
        "timestamp" => "Timestamp",
        "bytea" => "Bytea",
        "uuid" => "Uuid",
        "jsonb" => "Jsonb",
        // diesel's print-schema: array elements may be NULL.
        "_text" => "Array<Nullable<Text>>",
        other => panic!("add a mapping for the column type {other}"),
    }
    .to_string()
}

#[test]
fn schema_rs_matches_the_migrations() {
    let db = TestDb::new();
    let rows: Vec<Column> = sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut db.connect())
    .unwrap();
    let mut actual = Columns::new();
    for c in rows {
        let ty = diesel_type(&c.udt_name);
        let ty = if c.is_nullable == "YES" {
            format!("Nullable<{ty}>")
        } else {
            ty
        };
        actual
            .entry(c.table_name)
            .or_default()
            .insert(c.column_name, ty);
    }
    assert!(!actual.is_empty());
    assert_eq!(
        from_schema_rs(),
        actual,
        "backend/src/schema.rs is out of date: run `make schema`"
    );
}
