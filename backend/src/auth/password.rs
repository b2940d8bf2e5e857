use argon2::{
    password_hash::{
        phc::{Output, ParamsString, PasswordHash, Salt},
        PasswordHasher as _, PasswordVerifier as _,
    },
    Algorithm, Argon2, Block, Params, Version,
};

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::sync::Semaphore;

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

/// Argon2 working memory (19 MiB with the default parameters).
type Memory = Vec<Block>;

/// The Argon2id hash of `password` with `salt` and `params`, computed in
/// `memory` (grown when the parameters need more).
fn compute(
    password: &[u8],
    salt: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: Params,
    memory: &mut Memory,
) -> Option<Output> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = out.get_mut(..len)?;
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut *out, &mut memory[..blocks])
        .ok()?;
    Output::new(out).ok()
}

/// Whether `password` matches the PHC string `phc` (constant-time compare).
fn matches(password: &str, phc: &str, memory: &mut Memory) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(hash.algorithm.as_str()),
        Params::try_from(&hash),
    ) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    compute(
        password.as_bytes(),
        salt,
        algorithm,
        version,
        params,
        memory,
    )
    .is_some_and(|computed| &computed == expected)
}

/// A new Argon2id PHC string for `password` with a random salt.
fn hash_with(password: &Password, memory: &mut Memory) -> Result<String, ApiError> {
    let failed = || ApiError::Unexpected(anyhow::anyhow!("hashing a password failed"));
    let salt_bytes = argon2::password_hash::try_generate_salt().map_err(|_| failed())?;
    let salt = Salt::new(&salt_bytes).map_err(|_| failed())?;
    let params = Params::default();
    let output = compute(
        password.expose().as_bytes(),
        &salt,
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        memory,
    )
    .ok_or_else(failed)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|_| failed())?,
        salt: Some(salt),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Runs every Argon2 hash of the process, a bounded number at a time, each
/// in working memory allocated once per slot and reused.
///
/// Each hash needs 19 MiB for its duration. Unbounded, a burst of logins
/// multiplies that by the burst; and even bounded, allocating it afresh on
/// whichever blocking thread runs the hash leaves the allocator holding
/// freed blocks in one arena per thread (measured: 90 sequential logins left
/// 0.7–1.7 GiB resident). Requests past the bound wait their turn for at most
/// `queue_timeout`, then get a 503 with `Retry-After`: memory stays flat at
/// `concurrency` × 19 MiB whatever the burst.
///
/// It also holds a hash of a random password, checked when a login names an
/// unknown user so that the answer takes as long as for a known one.
#[derive(Clone)]
pub struct PasswordHasher {
    dummy_hash: Arc<str>,
    permits: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Memory>>>,
    queue_timeout: Duration,
}

impl PasswordHasher {
    pub fn new(concurrency: usize, queue_timeout: Duration) -> Result<Self, ApiError> {
        let random =
            Password::parse(&uuid::Uuid::new_v4().to_string()).map_err(|e| anyhow::anyhow!(e))?;
        Ok(Self {
            dummy_hash: hash_password(&random)?.into(),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            memory: Arc::new(Mutex::new(Vec::new())),
            queue_timeout,
        })
    }

    /// Runs `f` on the blocking pool, with a slot's working memory, once a
    /// hashing slot is free.
    async fn with_slot<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let busy = || ApiError::Unavailable("the server is busy checking passwords".into());
        let permit = tokio::time::timeout(self.queue_timeout, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let span = tracing::Span::current();
        let pool = self.memory.clone();
        Ok(actix_web::web::block(move || {
            let _entered = span.enter();
            let _permit = permit;
            // A slot's memory: there are never more in use than permits.
            let take = |pool: &Mutex<Vec<Memory>>| {
                pool.lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .pop()
            };
            let mut memory = take(&pool).unwrap_or_default();
            let out = f(&mut memory);
            pool.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(memory);
            out
        })
        .await?)
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: Password) -> Result<String, ApiError> {
        self.with_slot(move |memory| hash_with(&password, memory))
            .await?
    }

    /// Verifies against the stored hash, or the dummy one when there is none.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        let dummy = self.dummy_hash.clone();
        self.with_slot(move |memory| match stored {
            Some(hash) => matches(&password, &hash, memory),
            None => {
                let _ = matches(&password, &dummy, memory);
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn hash_and_verify() {
        let pw = Password::parse("correct horse").unwrap();
        let h = hash_password(&pw).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        let hasher = PasswordHasher::new(1, Duration::from_secs(5)).unwrap();
        assert!(!hasher.verify("correct horse".into(), None).await.unwrap());
        assert!(hasher
            .verify("correct horse".into(), Some(h))
            .await
            .unwrap());
    }

    #[actix_web::test]
    async fn hashes_past_the_bound_wait_then_are_refused_with_503() {
        let hasher = PasswordHasher::new(1, Duration::ZERO).unwrap();
        let held = hasher.permits.clone().acquire_owned().await.unwrap();
        let err = hasher.verify("x".into(), None).await.unwrap_err();
        assert!(matches!(err, ApiError::Unavailable(_)), "{err:?}");
        drop(held);
        assert!(!hasher.verify("x".into(), None).await.unwrap());
    }
}
