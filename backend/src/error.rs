//! One error type for the whole API, rendered as RFC 9457 problem documents.

use std::collections::BTreeMap;

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use serde::Serialize;

/// Field name → messages, as in `{"errors": {"text": ["must be at most 280 characters"]}}`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Collects field validation failures, so one answer reports all of them.
#[derive(Debug, Default)]
pub struct Validator(FieldErrors);

impl Validator {
    /// The parsed value, or `None` with its message recorded under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed
            .map_err(|message| self.0.entry(field.to_string()).or_default().push(message))
            .ok()
    }

    /// Like [`Validator::check`] for an optional field: absent stays `None`.
    pub fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        raw.and_then(|raw| self.check(field, parse(raw)))
    }

    /// `Ok` when every field passed, else a 422 listing them all.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.0))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{detail}")]
    Unauthorized {
        detail: String,
        /// A token was sent but refused (`WWW-Authenticate: … invalid_token`).
        invalid_token: bool,
        /// The problem document's `code` (see [`ApiError::code`]).
        code: &'static str,
    },
    #[error("{detail}")]
    Forbidden { detail: String, code: &'static str },
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("{detail}")]
    Conflict { detail: String, code: &'static str },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Validation { detail: String, errors: FieldErrors },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    /// The request body stalled or took too long (see `limits`); the
    /// connection is closed after the answer.
    #[error("{0}")]
    RequestTimeout(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ApiError {
    /// No credentials where they are needed (`code: unauthorized`).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ApiError::Unauthorized {
            detail: detail.into(),
            invalid_token: false,
            code: "unauthorized",
        }
    }

    /// A wrong username or password (`code: invalid_credentials`).
    pub fn invalid_credentials(detail: impl Into<String>) -> Self {
        ApiError::Unauthorized {
            detail: detail.into(),
            invalid_token: false,
            code: "invalid_credentials",
        }
    }

    /// A malformed, forged or otherwise unusable token (`code: invalid_token`).
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self::token_refused(detail, "invalid_token")
    }

    /// A token refused for a reason a client acts on differently:
    /// `token_expired` (refresh it), `session_ended` (sign in again),
    /// `refresh_token_reused` (sign in again; the session was revoked).
    pub fn token_refused(detail: impl Into<String>, code: &'static str) -> Self {
        ApiError::Unauthorized {
            detail: detail.into(),
            invalid_token: true,
            code,
        }
    }

    /// The stable, machine-readable `code` of the problem document: clients
    /// switch on it, never on `detail` (which is for people and may change).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized { code, .. } => code,
            ApiError::Forbidden { code, .. } => code,
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Validation { .. } => "validation_failed",
            ApiError::TooManyRequests { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::RequestTimeout(_) => "request_timeout",
            ApiError::Unexpected(_) => "internal_error",
        }
    }

    /// Not allowed for this caller (`code: forbidden`).
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::Forbidden {
            detail: detail.into(),
            code: "forbidden",
        }
    }

    /// A 422 about a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_string(), vec![message.into()]);
        ApiError::invalid(errors)
    }

    pub fn invalid(errors: FieldErrors) -> Self {
        let detail = match errors.len() {
            1 => {
                let (field, msgs) = errors
                    .iter()
                    .next()
                    .map(|(f, m)| (f.clone(), m.join("; ")))
                    .unwrap_or_default();
                format!("{field} {msgs}")
            }
            n => format!("{n} fields are invalid"),
        };
        ApiError::Validation { detail, errors }
    }
}

/// An RFC 9457 problem document: the body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422,
    "detail": "text must be at most 280 characters (it has 300)",
    "errors": {"text": ["must be at most 280 characters (it has 300)"]}}))]
pub struct Problem<'a> {
    /// Always `about:blank`: the status code says what happened.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "about:blank")]
    pub kind: &'static str,
    /// The status code's reason phrase.
    #[schema(value_type = String)]
    pub title: &'a str,
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// Stable and machine-readable: what clients switch on. One of
    /// `bad_request`, `unauthorized`, `invalid_credentials`, `invalid_token`,
    /// `token_expired`, `session_ended`, `refresh_token_reused`, `forbidden`,
    /// `not_found`, `method_not_allowed`, `username_taken`,
    /// `payload_too_large`, `unsupported_media_type`, `validation_failed`,
    /// `rate_limited`, `request_timeout`, `unavailable`, `internal_error`.
    #[schema(value_type = String, example = "validation_failed")]
    pub code: &'a str,
    /// A human-readable explanation.
    #[schema(value_type = String)]
    pub detail: &'a str,
    /// Field name → messages; on validation failures (422) only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, Vec<String>>>)]
    pub errors: Option<&'a FieldErrors>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match self {
            ApiError::Unexpected(err) => {
                // The cause is logged in full and never sent to the client.
                tracing::error!(error = %format_chain(err), "unexpected error");
                "the server hit an unexpected error; it has been logged".to_string()
            }
            ApiError::MethodNotAllowed { allow } => format!("this resource supports only {allow}"),
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("too many requests: try again in {retry_after_secs} seconds")
            }
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation { errors, .. } => Some(errors),
            _ => None,
        };
        let body = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code: self.code(),
            detail: &detail,
            errors,
        };
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized { invalid_token, .. } => {
                let value = if *invalid_token {
                    r#"Bearer error="invalid_token""#
                } else {
                    "Bearer"
                };
                res.insert_header((header::WWW_AUTHENTICATE, value));
            }
            ApiError::MethodNotAllowed { allow } => {
                res.insert_header((header::ALLOW, allow.as_str()));
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::RequestTimeout(_) => {
                res.force_close();
            }
            _ => {}
        }
        res.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

/// A replica's "not found" or "unavailable" may be the primary's answer
/// too, or not: the read is asked again there (`db::replicas`).
impl crate::db::ReadError for ApiError {
    fn retry_on_primary(&self) -> bool {
        matches!(self, ApiError::NotFound(_) | ApiError::Unavailable(_))
    }
}

/// `error: cause: cause…`, for the logs.
pub fn format_chain(err: &anyhow::Error) -> String {
    err.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

/// What the store reports, as the API answers it: the one place storage
/// outcomes become HTTP (the store itself never speaks HTTP).
impl From<crate::db::Error> for ApiError {
    fn from(err: crate::db::Error) -> Self {
        use crate::db::Error;
        match err {
            Error::NotFound(what) => ApiError::NotFound(what),
            Error::UsernameTaken => ApiError::Conflict {
                detail: err.to_string(),
                code: "username_taken",
            },
            Error::Conflict(what) => ApiError::Conflict {
                detail: what.into(),
                code: "conflict",
            },
            Error::Deactivated => ApiError::Forbidden {
                detail: err.to_string(),
                code: "account_deactivated",
            },
            Error::AccountGone => ApiError::invalid_token(err.to_string()),
            Error::NotAuthor(what) | Error::Blocked(what) => ApiError::forbidden(what),
            Error::InvalidField { field, message } => ApiError::field(field, message),
            Error::Unavailable(what) => ApiError::Unavailable(what.into()),
            Error::Other(err) => ApiError::Unexpected(err),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::Unexpected(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

/// A body that is valid JSON but not of the expected shape: `422`, keyed by
/// the missing field when serde names one, else under `body`.
pub fn data_error(e: &serde_json::Error) -> ApiError {
    let msg = e.to_string();
    if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return ApiError::field(field, "is required");
    }
    let clean = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    ApiError::field("body", clean)
}

/// A body that could not be read: a 408 when it timed out (see `limits`).
pub fn payload_error(err: &actix_web::error::PayloadError) -> ApiError {
    if crate::limits::is_timeout(err) {
        ApiError::RequestTimeout(format!("{err}: send it faster or split it"))
    } else {
        ApiError::BadRequest("the request body could not be read".into())
    }
}

/// actix's own extractor errors, as problem documents (see `startup`).
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => ApiError::PayloadTooLarge(
            format!("the JSON body is larger than the limit of {limit} bytes"),
        ),
        E::ContentType => ApiError::UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)".into(),
        ),
        E::Deserialize(e) if e.is_data() => data_error(&e),
        E::Deserialize(e) => ApiError::BadRequest(format!("malformed JSON: {e}")),
        E::Payload(e) => payload_error(&e),
        E::Serialize(_) => ApiError::Unexpected(anyhow::anyhow!("JSON serialisation failed")),
        _ => ApiError::BadRequest("the JSON body could not be read".into()),
    }
}

/// Turns any error response that is not already a problem document (from
/// actix-files, actix-cors or actix itself) into one with the same status and
/// headers and a generic detail, so clients only ever see problem documents.
pub fn problem_for_plain_errors<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match status {
        StatusCode::NOT_FOUND => "no such resource",
        StatusCode::METHOD_NOT_ALLOWED => "this resource does not support this method",
        StatusCode::BAD_REQUEST => "the request is malformed",
        StatusCode::FORBIDDEN => "not allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::RANGE_NOT_SATISFIABLE => "the requested range is not satisfiable",
        s if s.is_server_error() => "the server hit an unexpected error; it has been logged",
        _ => "the request could not be served",
    };
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::RANGE_NOT_SATISFIABLE => "range_not_satisfiable",
        s if s.is_server_error() => "internal_error",
        _ => "error",
    };
    let body = serde_json::to_string(&Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        code,
        detail,
        errors: None,
    })
    .unwrap_or_default();
    let (req, res) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    // Only static files answer 405 without saying what they allow.
    if status == StatusCode::METHOD_NOT_ALLOWED && !res.headers().contains_key(header::ALLOW) {
        builder.insert_header((header::ALLOW, "GET, HEAD"));
    }
    let res = builder
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(body);
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, res).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db;

    #[test]
    fn every_store_error_has_one_http_meaning() {
        let cases = [
            (
                db::Error::NotFound("no tweet with id 7".into()),
                404,
                "not_found",
            ),
            (db::Error::UsernameTaken, 409, "username_taken"),
            (db::Error::AccountGone, 401, "invalid_token"),
            (db::Error::NotAuthor("only the author"), 403, "forbidden"),
            (db::Error::Blocked("blocked"), 403, "forbidden"),
            (
                db::Error::InvalidField {
                    field: "reply_to_id",
                    message: "refers to a tweet that does not exist",
                },
                422,
                "validation_failed",
            ),
            (db::Error::Unavailable("down"), 503, "unavailable"),
            (db::Error::other("bug"), 500, "internal_error"),
        ];
        for (store, status, code) in cases {
            let api = ApiError::from(store);
            assert_eq!(api.status_code().as_u16(), status, "{api:?}");
            assert_eq!(api.code(), code, "{api:?}");
        }
    }
}
