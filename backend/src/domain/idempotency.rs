//! Idempotent requests: the `Idempotency-Key` a client sends, and what is
//! stored with it — a digest of the request, so a retry is recognised and a
//! reuse of the key for another request is refused.

use sha2::{Digest, Sha256};

/// `Idempotency-Key`: 1–255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("Idempotency-Key must be 1 to 255 visible ASCII characters".into());
        }
        Ok(Self(raw.to_string()))
    }
}

impl AsRef<str> for IdempotencyKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An `Idempotency-Key` and a digest of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

impl Idempotency {
    /// The key with the SHA-256 of the request's parts (each part digested
    /// on its own, so no two different part lists hash alike).
    pub fn new(key: IdempotencyKey, parts: &[&[u8]]) -> Self {
        let mut digest = Sha256::new();
        for part in parts {
            digest.update(Sha256::digest(part));
        }
        Self {
            key: key.0,
            request_hash: format!("{:x}", digest.finalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> IdempotencyKey {
        IdempotencyKey::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
    }

    #[test]
    fn the_same_request_hashes_alike_and_shifted_parts_do_not() {
        let a = Idempotency::new(key("k"), &[b"hello", b"7", b""]);
        assert_eq!(a, Idempotency::new(key("k"), &[b"hello", b"7", b""]));
        assert_ne!(
            a.request_hash,
            Idempotency::new(key("k"), &[b"hello7", b"", b""]).request_hash
        );
        assert_ne!(
            a.request_hash,
            Idempotency::new(key("k"), &[b"hello", b"7", b"x"]).request_hash
        );
    }
}
