use std::time::Duration;

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519 says `sub` is a string).
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
}

/// HS256 keys and validation rules, built once at startup.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        validation.leeway = 5;
        validation.validate_exp = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A signed access token for `user_id`, valid for the configured TTL.
    pub fn issue(&self, user_id: i64) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now.saturating_add(ttl),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Unexpected(anyhow::anyhow!("signing a token failed: {e}")))
    }

    /// The user id of a valid token; a 401 otherwise.
    pub fn verify(&self, token: &str) -> Result<i64, ApiError> {
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => {
                        ApiError::invalid_token("the access token has expired")
                    }
                    _ => ApiError::invalid_token("the access token is invalid"),
                }
            })?;
        match data.claims.sub.parse::<i64>() {
            Ok(id) if id > 0 => Ok(id),
            _ => Err(ApiError::invalid_token("the access token is invalid")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"0123456789abcdef0123456789abcdef",
            Duration::from_secs(3600),
        )
    }

    #[test]
    fn round_trip() {
        let k = keys();
        let t = k.issue(42).unwrap();
        assert_eq!(k.verify(&t).unwrap(), 42);
    }

    #[test]
    fn wrong_key_and_alg_none_are_refused() {
        let t = keys().issue(42).unwrap();
        let other = JwtKeys::new(b"another-secret-another-secret-xx", Duration::from_secs(60));
        assert!(other.verify(&t).is_err());

        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let now = chrono::Utc::now().timestamp();
        let body =
            URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"42","iat":{now},"exp":{}}}"#, now + 600));
        assert!(keys().verify(&format!("{header}.{body}.")).is_err());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let k = keys();
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: "1".into(),
            iat: now - 7200,
            exp: now - 3600,
        };
        let t = encode(&Header::new(Algorithm::HS256), &claims, &k.encoding).unwrap();
        let err = k.verify(&t).unwrap_err();
        assert!(err.to_string().contains("expired"));
    }
}
