use std::{future::Future, pin::Pin};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use super::jwt::TokenSubject;
use crate::{
    db::{self, sessions},
    domain::UserId,
    error::ApiError,
    state::AppState,
};

/// The authenticated caller. Extracting it answers 401 (with
/// `WWW-Authenticate: Bearer`) when the token is missing, malformed, forged,
/// expired, or its session has ended (signed out, revoked, account deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    pub id: UserId,
    /// The session the access token belongs to.
    pub session_id: i64,
}

/// Optional authentication: anonymous without an `Authorization` header, but
/// an invalid token is still a 401, never silently anonymous.
#[derive(Debug, Clone, Copy)]
pub struct OptionalAuth(pub Option<AuthUser>);

impl OptionalAuth {
    pub fn user_id(&self) -> Option<UserId> {
        self.0.map(|u| u.id)
    }
}

/// The bearer token of a request, if it carries an `Authorization` header.
fn bearer(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
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
    Ok(Some(token.trim()))
}

/// Checks the signature and claims (no I/O) and returns what the database
/// still has to confirm.
fn verify(req: &HttpRequest) -> Result<Option<(web::Data<AppState>, TokenSubject)>, ApiError> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("application state is missing")))?;
    let subject = state.jwt.verify(token).inspect_err(|_| {
        state
            .metrics
            .auth_failures
            .with_label_values(&["token"])
            .inc();
    })?;
    Ok(Some((state, subject)))
}

/// A verified token whose session is still open.
async fn authenticate(
    verified: Option<(web::Data<AppState>, TokenSubject)>,
) -> Result<Option<AuthUser>, ApiError> {
    let Some((state, subject)) = verified else {
        return Ok(None);
    };
    let open = db::run(&state.pool, move |conn| {
        sessions::is_open(conn, subject.session_id, subject.user_id)
    })
    .await?;
    if !open {
        state
            .metrics
            .auth_failures
            .with_label_values(&["token"])
            .inc();
        return Err(ApiError::token_refused(
            "the session has ended (signed out, revoked, or the account is gone)",
            "session_ended",
        ));
    }
    Ok(Some(AuthUser {
        id: subject.user_id,
        session_id: subject.session_id,
    }))
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = verify(req);
        Box::pin(async move {
            authenticate(verified?)
                .await?
                .ok_or_else(|| ApiError::unauthorized("this endpoint needs an access token"))
        })
    }
}

impl FromRequest for OptionalAuth {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = verify(req);
        Box::pin(async move { authenticate(verified?).await.map(OptionalAuth) })
    }
}
