//! Uploaded images: recognising them by their bytes, refusing oversized
//! ones, stripping location and camera metadata, and storing them under
//! random names behind a small [`MediaStore`] trait.

use std::{io::Write, path::PathBuf, sync::Arc};

use crate::error::ApiError;

pub mod s3;
pub mod strip;

/// Largest upload accepted (5 MiB).
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Largest image accepted by pixel count, checked from the header before
/// anything decodes it (a decompression bomb is small in bytes, huge in pixels).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Largest width or height accepted.
pub const MAX_SIDE: u64 = 16_384;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageKind {
    /// Recognises an image by its leading bytes; the file name and the
    /// declared content type are never trusted.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }
}

/// An upload that passed every check, metadata stripped, ready to store.
#[derive(Debug)]
pub struct CheckedImage {
    pub kind: ImageKind,
    /// Shared, not copied, when a store hands it to its client.
    pub bytes: bytes::Bytes,
}

/// Checks an uploaded image: its type from its bytes (`415` otherwise), its
/// size (`413`), and its dimensions from its header (`422`); then strips
/// its metadata (see [`strip`]).
pub fn check_image(bytes: Vec<u8>) -> Result<CheckedImage, ApiError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::PayloadTooLarge(
            "the image is larger than 5 MiB".into(),
        ));
    }
    let kind = ImageKind::sniff(&bytes).ok_or_else(|| {
        ApiError::UnsupportedMediaType("the image must be a PNG, JPEG, GIF or WebP file".into())
    })?;
    let size = imagesize::blob_size(&bytes)
        .map_err(|_| ApiError::field("image", "is not a readable image (its header is damaged)"))?;
    let (w, h) = (size.width as u64, size.height as u64);
    if w == 0 || h == 0 {
        return Err(ApiError::field("image", "has no pixels"));
    }
    if w > MAX_SIDE || h > MAX_SIDE || w.saturating_mul(h) > MAX_PIXELS {
        return Err(ApiError::field(
            "image",
            format!(
                "is {w}×{h} pixels: at most {MAX_SIDE} a side and {} megapixels",
                MAX_PIXELS / 1_000_000
            ),
        ));
    }
    let bytes = match kind {
        ImageKind::Jpeg => strip::jpeg(&bytes)?,
        ImageKind::Png => strip::png(&bytes)?,
        ImageKind::Gif => strip::gif(&bytes)?,
        ImageKind::Webp => strip::webp(&bytes)?,
    };
    Ok(CheckedImage {
        kind,
        bytes: bytes.into(),
    })
}

/// The media service handlers use: checks, strips and stores uploads, and
/// removes what is no longer referenced — all off the async workers.
#[derive(Clone)]
pub struct Media {
    store: Arc<dyn MediaStore>,
}

impl Media {
    pub fn new(store: Arc<dyn MediaStore>) -> Self {
        Self { store }
    }

    /// Checks an uploaded image (type from its bytes, size, dimensions),
    /// strips its metadata and stores it; returns the stored name.
    pub async fn store(&self, bytes: Vec<u8>) -> Result<String, ApiError> {
        let store = self.store.clone();
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            let _entered = span.enter();
            let image = check_image(bytes)?;
            store.put(&image).map_err(|e| {
                if e.kind() == std::io::ErrorKind::ConnectionAborted {
                    // The object store (a remote service) failed: retryable.
                    tracing::warn!(error = %e, "storing an image failed");
                    ApiError::Unavailable("the media store is unavailable".into())
                } else {
                    ApiError::Unexpected(anyhow::Error::new(e).context("storing an image"))
                }
            })
        })
        .await?
    }

    /// Removes a stored image; failures are logged, a missing file is fine.
    pub async fn remove(&self, stored: String) {
        let store = self.store.clone();
        match actix_web::web::block(move || store.remove(&stored)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "could not remove a media file"),
            Err(e) => tracing::warn!(error = %e, "could not remove a media file"),
        }
    }
}

/// Where images live. The local filesystem today; an object store can
/// implement the same three calls. Blocking: call from the blocking pool.
pub trait MediaStore: Send + Sync {
    /// Stores the image under a new random name and returns that name
    /// (a relative path such as `3f/3f9c…e1.png`).
    fn put(&self, image: &CheckedImage) -> std::io::Result<String>;
    /// Removes a stored image; a missing one is not an error.
    fn remove(&self, name: &str) -> std::io::Result<()>;
}

/// Images under a root folder, sharded by the first two characters of their
/// random names, written to a temporary file and renamed into place so a
/// reader never sees half a file.
pub struct LocalMediaStore {
    root: PathBuf,
}

impl LocalMediaStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The path of a stored name, refusing anything that is not one of ours.
    fn path_of(&self, name: &str) -> Option<PathBuf> {
        is_stored_name(name).then(|| self.root.join(name))
    }
}

/// A new random stored name, e.g. `3f/3f9c…e1.png` (the first two
/// characters shard the files into folders).
pub fn new_name(kind: ImageKind) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{}/{id}.{}", &id[..2], kind.extension())
}

/// Whether `name` is one [`new_name`] makes: two path segments of letters,
/// digits and dots, nothing that climbs out of the root.
pub fn is_stored_name(name: &str) -> bool {
    name.split('/').count() == 2
        && name.split('/').all(|seg| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        })
        && !name.contains("..")
}

impl MediaStore for LocalMediaStore {
    fn put(&self, image: &CheckedImage) -> std::io::Result<String> {
        let name = new_name(image.kind);
        let final_path = self.root.join(&name);
        let dir = final_path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        let tmp_dir = self.root.join(".tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        let tmp_path = tmp_dir.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        let result = (|| {
            let mut file = std::fs::File::create(&tmp_path)?;
            file.write_all(&image.bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp_path, &final_path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp_path);
        }
        result.map(|()| name)
    }

    fn remove(&self, name: &str) -> std::io::Result<()> {
        let Some(path) = self.path_of(name) else {
            return Ok(());
        };
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_bytes_only() {
        assert_eq!(
            ImageKind::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageKind::Png)
        );
        assert_eq!(
            ImageKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(ImageKind::sniff(b"GIF89a...."), Some(ImageKind::Gif));
        assert_eq!(
            ImageKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageKind::Webp)
        );
        assert_eq!(ImageKind::sniff(b"<svg xmlns="), None);
        assert_eq!(ImageKind::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(ImageKind::sniff(b""), None);
    }

    #[test]
    fn damaged_files_are_refused_not_panicked_on() {
        for bytes in [
            b"\x89PNG\r\n\x1a\n".to_vec(),
            b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec(),
            vec![0xFF, 0xD8, 0xFF],
            vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00],
            b"GIF89a".to_vec(),
        ] {
            assert!(check_image(bytes).is_err());
        }
    }

    #[test]
    fn stored_names_outside_the_pattern_are_never_touched() {
        let store = LocalMediaStore::new("/nonexistent-root");
        assert!(store.path_of("ab/abcdef.png").is_some());
        for bad in [
            "../etc/passwd",
            "ab/../../x",
            "/etc/passwd",
            "ab/cd/ef.png",
            "ab/",
            "a b/c.png",
        ] {
            assert!(store.path_of(bad).is_none(), "{bad}");
        }
    }
}
