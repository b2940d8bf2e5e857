use std::time::Duration;

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use crate::{domain::UserId, error::ApiError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519 says `sub` is a string).
    pub sub: String,
    /// The session the token belongs to: revoking it ends the token at once.
    pub sid: i64,
    pub iat: i64,
    pub exp: i64,
    /// Not valid before; honoured when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Who a valid access token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: UserId,
    pub session_id: i64,
}

/// Seconds of clock difference tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECS: i64 = 5;

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
        validation.leeway = LEEWAY_SECS as u64;
        validation.validate_exp = true;
        validation.validate_nbf = true;
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

    /// A signed access token for `user_id` in session `session_id`, valid
    /// for the configured TTL.
    pub fn issue(&self, user_id: UserId, session_id: i64) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id,
            iat: now,
            exp: now.saturating_add(ttl),
            nbf: None,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Unexpected(anyhow::anyhow!("signing a token failed: {e}")))
    }

    /// The user and session of a valid token; a 401 otherwise. Whether the
    /// session is still open is the caller's question (it needs the database).
    pub fn verify(&self, token: &str) -> Result<TokenSubject, ApiError> {
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => {
                        ApiError::token_refused("the access token has expired", "token_expired")
                    }
                    ErrorKind::ImmatureSignature => {
                        ApiError::invalid_token("the access token is not valid yet")
                    }
                    _ => ApiError::invalid_token("the access token is invalid"),
                }
            })?;
        if data.claims.iat > chrono::Utc::now().timestamp() + LEEWAY_SECS {
            return Err(ApiError::invalid_token(
                "the access token was issued in the future",
            ));
        }
        match data.claims.sub.parse::<i64>().ok().and_then(UserId::new) {
            Some(user_id) if data.claims.sid > 0 => Ok(TokenSubject {
                user_id,
                session_id: data.claims.sid,
            }),
            _ => Err(ApiError::invalid_token("the access token is invalid")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

    fn uid(raw: i64) -> UserId {
        UserId::new(raw).unwrap_or_else(|| panic!("{raw} is not an id"))
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"0123456789abcdef0123456789abcdef",
            Duration::from_secs(3600),
        )
    }

    #[test]
    fn round_trip() {
        let k = keys();
        let t = k.issue(uid(42), 7).unwrap();
        assert_eq!(
            k.verify(&t).unwrap(),
            TokenSubject {
                user_id: uid(42),
                session_id: 7
            }
        );
    }

    #[test]
    fn wrong_key_and_alg_none_are_refused() {
        let t = keys().issue(uid(42), 1).unwrap();
        let other = JwtKeys::new(b"another-secret-another-secret-xx", Duration::from_secs(60));
        assert!(other.verify(&t).is_err());

        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let now = chrono::Utc::now().timestamp();
        let body = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"42","sid":1,"iat":{now},"exp":{}}}"#,
            now + 600
        ));
        assert!(keys().verify(&format!("{header}.{body}.")).is_err());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let k = keys();
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: "1".into(),
            sid: 1,
            iat: now - 7200,
            exp: now - 3600,
            nbf: None,
        };
        let t = encode(&Header::new(Algorithm::HS256), &claims, &k.encoding).unwrap();
        let err = k.verify(&t).unwrap_err();
        assert!(err.to_string().contains("expired"));
    }

    #[test]
    fn not_yet_valid_and_future_issued_tokens_are_refused() {
        let k = keys();
        let now = chrono::Utc::now().timestamp();
        let sign = |iat: i64, nbf: Option<i64>| {
            let claims = Claims {
                sub: "1".into(),
                sid: 1,
                iat,
                exp: now + 3600,
                nbf,
            };
            encode(&Header::new(Algorithm::HS256), &claims, &k.encoding).unwrap()
        };
        let err = k.verify(&sign(now, Some(now + 600))).unwrap_err();
        assert!(err.to_string().contains("not valid yet"), "{err}");
        let err = k.verify(&sign(now + 600, None)).unwrap_err();
        assert!(err.to_string().contains("future"), "{err}");
        // Within the leeway, and with a past nbf: fine.
        k.verify(&sign(now + 2, Some(now - 10))).unwrap();
    }
}
