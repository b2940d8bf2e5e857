//! `tweets media migrate --to s3`: copies the images under `MEDIA_ROOT`
//! into the S3 bucket the `S3_*` settings name, each one read back and
//! compared by SHA-256 before it counts as copied. A journal in
//! `MEDIA_ROOT/.migrated-s3` (one `sha256 name` line per verified copy,
//! written as it goes) makes a second run resume where the first stopped.

use std::{
    collections::HashSet,
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::Context;
use clap::Subcommand;
use sha2::{Digest, Sha256};

use crate::{
    config::{MediaStoreKind, Settings},
    media::{is_stored_name, s3::S3MediaStore},
};

#[derive(Debug, Subcommand)]
pub enum Media {
    /// Copy the images under MEDIA_ROOT to the S3 bucket of the S3_* settings
    /// (resumable; every copy verified by checksum).
    Migrate {
        /// The target store (only `s3`).
        #[arg(long, value_parser = ["s3"])]
        to: String,
        /// List what would be copied, copy nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub const JOURNAL: &str = ".migrated-s3";

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn mime_of(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
}

/// The stored images under `root` (`xx/name.ext`), in a stable order;
/// temporary files and anything else are left out.
fn stored_images(root: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let shards =
        fs::read_dir(root).with_context(|| format!("reading MEDIA_ROOT {}", root.display()))?;
    for shard in shards {
        let shard = shard?;
        if !shard.file_type()?.is_dir() {
            continue;
        }
        for file in fs::read_dir(shard.path())? {
            let file = file?;
            let name = format!(
                "{}/{}",
                shard.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            if file.file_type()?.is_file() && is_stored_name(&name) {
                found.push((name, file.path()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The names the journal lists as copied and verified.
fn journaled(path: &Path) -> anyhow::Result<HashSet<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| l.split_once(' ').map(|(_, name)| name.to_string()))
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashSet::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

pub fn run(settings: &Settings, command: Media) -> anyhow::Result<()> {
    let Media::Migrate { to: _, dry_run } = command;
    let MediaStoreKind::S3(s3) = &settings.media_store else {
        anyhow::bail!("the target is the S3 bucket of the settings: set MEDIA_STORE=s3, S3_BUCKET and S3_REGION (and S3_ENDPOINT or keys as needed)");
    };
    let root = &settings.media_root;
    let journal_path = root.join(JOURNAL);
    let done = journaled(&journal_path)?;
    let images = stored_images(root)?;
    let todo: Vec<_> = images
        .iter()
        .filter(|(name, _)| !done.contains(name))
        .collect();
    if dry_run {
        for (name, _) in &todo {
            out!("would copy {name}");
        }
        out!(
            "{} to copy, {} already copied (journal {})",
            todo.len(),
            images.len() - todo.len(),
            journal_path.display()
        );
        return Ok(());
    }
    let store = S3MediaStore::new(s3)?;
    let mut journal = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal_path)
        .with_context(|| format!("opening the journal {}", journal_path.display()))?;
    let (mut copied, mut failed) = (0usize, 0usize);
    for (name, path) in &todo {
        let result = (|| -> anyhow::Result<String> {
            let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let digest = sha256_hex(&bytes);
            store.put_named(name, mime_of(name), bytes.into())?;
            let back = store
                .get(name)?
                .ok_or_else(|| anyhow::anyhow!("the bucket does not have it after the upload"))?;
            anyhow::ensure!(
                sha256_hex(&back) == digest,
                "the copy in the bucket differs from the file (checksums differ)"
            );
            Ok(digest)
        })();
        match result {
            Ok(digest) => {
                writeln!(journal, "{digest} {name}")?;
                journal.sync_data()?;
                copied += 1;
            }
            Err(e) => {
                failed += 1;
                eprintln!("failed {name}: {}", crate::error::format_chain(&e));
            }
        }
    }
    out!(
        "copied {copied}, already copied {}, failed {failed} (to s3://{}; journal {})",
        images.len() - todo.len(),
        s3.bucket,
        journal_path.display()
    );
    anyhow::ensure!(
        failed == 0,
        "{failed} image(s) not copied: run the command again to retry them"
    );
    Ok(())
}
