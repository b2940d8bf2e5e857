use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher as _, PasswordVerifier as _},
    Argon2,
};

use crate::{domain::Password, error::ApiError};

/// Hashes with Argon2id (the crate's defaults: m=19 MiB, t=2, p=1) into a PHC string.
pub fn hash_password(password: &Password) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Unexpected(anyhow::anyhow!("hashing a password failed: {e}")))
}

/// Constant-time check of `password` against a stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// Holds a hash of a random password, checked when a login names an unknown
/// user so that the answer takes as long as for a known one.
#[derive(Clone)]
pub struct PasswordHasher {
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new() -> Result<Self, ApiError> {
        let random =
            Password::parse(&uuid::Uuid::new_v4().to_string()).map_err(|e| anyhow::anyhow!(e))?;
        Ok(Self {
            dummy_hash: hash_password(&random)?,
        })
    }

    /// Verifies against the stored hash, or the dummy one when there is none.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        match stored {
            Some(hash) => verify_password(password, hash),
            None => {
                let _ = verify_password(password, &self.dummy_hash);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let pw = Password::parse("correct horse").unwrap();
        let h = hash_password(&pw).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        let hasher = PasswordHasher::new().unwrap();
        assert!(!hasher.verify("correct horse", None));
        assert!(hasher.verify("correct horse", Some(&h)));
    }
}
