use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::{error::ApiError, startup::AppState};

/// The authenticated caller. Extracting it answers 401 (with
/// `WWW-Authenticate: Bearer`) when the token is missing, malformed, forged or expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    pub id: i64,
}

/// Optional authentication: anonymous without an `Authorization` header, but
/// an invalid token is still a 401, never silently anonymous.
#[derive(Debug, Clone, Copy)]
pub struct OptionalAuth(pub Option<AuthUser>);

impl OptionalAuth {
    pub fn user_id(&self) -> Option<i64> {
        self.0.map(|u| u.id)
    }
}

fn authenticate(req: &HttpRequest) -> Result<Option<AuthUser>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::invalid_token("the Authorization header is not valid"))?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| ApiError::invalid_token("expected `Authorization: Bearer <token>`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::invalid_token(
            "expected `Authorization: Bearer <token>`",
        ));
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("application state is missing")))?;
    let id = state.jwt.verify(token.trim()).inspect_err(|_| {
        state
            .metrics
            .auth_failures
            .with_label_values(&["token"])
            .inc();
    })?;
    Ok(Some(AuthUser { id }))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|user| {
            user.ok_or_else(|| ApiError::unauthorized("this endpoint needs an access token"))
        }))
    }
}

impl FromRequest for OptionalAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(OptionalAuth))
    }
}
