use std::{future::Future, pin::Pin};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use diesel::PgConnection;
use prometheus::IntCounter;

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

/// A token whose signature and claims are valid, its session not yet
/// confirmed: a hot handler confirms it with [`Unconfirmed::confirm`] on the
/// connection its own query runs on, so that the request hands work to the
/// blocking pool once instead of twice (`docs/benchmarks.md`). Extracting it
/// answers 401 for everything that needs no database (missing, malformed,
/// forged or expired token); an ended session is refused by `confirm`.
#[derive(Debug, Clone)]
pub struct Unconfirmed {
    subject: TokenSubject,
    refused: IntCounter,
}

impl Unconfirmed {
    /// The account the token claims (confirmed by [`Unconfirmed::confirm`]).
    pub fn claimed(&self) -> UserId {
        self.subject.user_id
    }

    /// The session the token claims to belong to.
    pub fn session_id(&self) -> i64 {
        self.subject.session_id
    }

    /// The refusal of a token whose session has ended (counted).
    pub fn ended(&self) -> ApiError {
        self.refused.inc();
        ApiError::token_refused(
            "the session has ended (signed out, revoked, or the account is gone)",
            "session_ended",
        )
    }

    /// The answer when the session was not found open: refused — unless on
    /// a read replica, which may not have replayed a new session yet; then
    /// the primary decides (and counts the refusal).
    pub fn not_open(&self) -> ApiError {
        if crate::db::replicas::on_replica() {
            ApiError::Unavailable(crate::db::replicas::NOT_ON_REPLICA.into())
        } else {
            self.ended()
        }
    }

    /// The caller, if the token's session is still open for its user.
    pub fn confirm(&self, conn: &mut PgConnection) -> Result<AuthUser, ApiError> {
        if !sessions::is_open(conn, self.subject.session_id, self.subject.user_id)? {
            return Err(self.not_open());
        }
        Ok(AuthUser {
            id: self.subject.user_id,
            session_id: self.subject.session_id,
        })
    }
}

impl Unconfirmed {
    /// The caller, confirmed and an administrator: read on every request,
    /// so revoking the flag on the command line takes effect at once.
    pub fn confirm_admin(
        &self,
        conn: &mut PgConnection,
    ) -> Result<crate::db::admin::Actor, ApiError> {
        let me = self.confirm(conn)?;
        match crate::db::admin::admin_name(conn, me.id)? {
            Some(username) => Ok(crate::db::admin::Actor::Admin {
                id: me.id,
                username,
            }),
            None => Err(ApiError::Forbidden {
                detail: "only administrators may do this".into(),
                code: "not_admin",
            }),
        }
    }
}

/// [`Unconfirmed`] when the request carries a token, `None` when anonymous.
#[derive(Debug, Clone)]
pub struct OptionalUnconfirmed(pub Option<Unconfirmed>);

impl OptionalUnconfirmed {
    /// The account the token claims, unconfirmed (read-your-writes routing).
    pub fn claimed(&self) -> Option<UserId> {
        self.0.as_ref().map(Unconfirmed::claimed)
    }

    /// The reader: `None` when anonymous, the confirmed account otherwise
    /// (an ended session is refused, as [`Unconfirmed::confirm`] does).
    pub fn reader(&self, conn: &mut PgConnection) -> Result<Option<UserId>, ApiError> {
        self.0
            .as_ref()
            .map(|t| t.confirm(conn).map(|me| me.id))
            .transpose()
    }
}

fn unconfirmed(req: &HttpRequest) -> Result<Option<(web::Data<AppState>, Unconfirmed)>, ApiError> {
    Ok(verify(req)?.map(|(state, subject)| {
        // Who this request acts for, for read-your-writes (`db::replicas`).
        actix_web::HttpMessage::extensions_mut(req)
            .insert(crate::db::replicas::Requester(subject.user_id));
        let refused = state.metrics.auth_failures.with_label_values(&["token"]);
        (state, Unconfirmed { subject, refused })
    }))
}

/// A verified token whose session is still open.
async fn authenticate(
    verified: Option<(web::Data<AppState>, Unconfirmed)>,
) -> Result<Option<AuthUser>, ApiError> {
    let Some((state, token)) = verified else {
        return Ok(None);
    };
    let me = db::run(&state.pool, move |conn| token.confirm(conn)).await?;
    Ok(Some(me))
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = unconfirmed(req);
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
        let verified = unconfirmed(req);
        Box::pin(async move { authenticate(verified?).await.map(OptionalAuth) })
    }
}

impl FromRequest for Unconfirmed {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(unconfirmed(req).and_then(|verified| {
            verified
                .map(|(_, token)| token)
                .ok_or_else(|| ApiError::unauthorized("this endpoint needs an access token"))
        }))
    }
}

impl FromRequest for OptionalUnconfirmed {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(unconfirmed(req).map(|v| OptionalUnconfirmed(v.map(|(_, token)| token))))
    }
}
