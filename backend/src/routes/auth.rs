//! Sign-up, sign-in, refresh and sign-out: sessions with short-lived access
//! tokens and rotating refresh tokens (see `db::sessions`).

use actix_web::{
    cookie::{time::Duration as CookieDuration, Cookie, SameSite},
    web, HttpRequest, HttpResponse, HttpResponseBuilder,
};
use serde::Deserialize;

use super::{
    json::JsonBody,
    views::{SessionView, UserView},
};
use crate::{
    auth::OptionalAuth,
    db::{
        self,
        models::NewUser,
        sessions::{self, Issued, Refreshed},
        users,
    },
    domain::{DisplayName, Password, Username},
    error::{ApiError, Validator},
    state::AppState,
};

/// The cookie that carries the refresh token for browsers: `HttpOnly` (no
/// script reads it), `Secure`, `SameSite=Strict`, and sent only to
/// `/api/v1/auth`.
pub const REFRESH_COOKIE: &str = "tweets_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"username": "alice", "password": "correct horse battery", "display_name": "Alice"}))]
pub struct RegisterRequest {
    /// 3–30 of `[A-Za-z0-9_]`, unique case-insensitively.
    #[schema(min_length = 3, max_length = 30, pattern = "^[A-Za-z0-9_]{3,30}$")]
    username: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    /// 0–50 characters, trimmed; defaults to the username.
    #[schema(max_length = 50)]
    display_name: Option<String>,
    /// `true`: set the refresh token as the `tweets_refresh` cookie instead
    /// of returning it (what the web app does).
    #[serde(default)]
    refresh_cookie: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"username": "alice", "password": "correct horse battery"}))]
pub struct LoginRequest {
    /// Case-insensitive.
    username: String,
    password: String,
    /// `true`: set the refresh token as the `tweets_refresh` cookie instead
    /// of returning it (what the web app does).
    #[serde(default)]
    refresh_cookie: bool,
    /// A current refresh token of this account, from an earlier sign-in on
    /// this device: it lets the sign-in through while failed attempts by
    /// others hold the account back. (Browsers send the cookie instead.)
    refresh_token: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"refresh_token": "3f1c…"}))]
pub struct RefreshRequest {
    /// The refresh token; omit it when it travels in the `tweets_refresh` cookie.
    refresh_token: Option<String>,
}

/// Where a refresh token came from, and so where its successor goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    Body,
    Cookie,
}

fn refresh_cookie(token: String, max_age: std::time::Duration) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token)
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .finish()
}

/// A `Set-Cookie` that removes the refresh cookie.
pub fn clear_refresh_cookie(res: &mut HttpResponseBuilder) {
    let mut cookie = refresh_cookie(String::new(), std::time::Duration::ZERO);
    cookie.make_removal();
    res.cookie(cookie);
}

/// The refresh token a request presents: the body's, else the cookie's.
fn presented(req: &HttpRequest, body: Option<String>) -> Option<(String, Transport)> {
    body.filter(|t| !t.is_empty())
        .map(|t| (t, Transport::Body))
        .or_else(|| {
            req.cookie(REFRESH_COOKIE)
                .map(|c| c.value().to_string())
                .filter(|t| !t.is_empty())
                .map(|t| (t, Transport::Cookie))
        })
}

/// The answer of every sign-in and refresh: an access token for the session,
/// and its refresh token in the body or a cookie.
fn session_response(
    state: &AppState,
    mut res: HttpResponseBuilder,
    user: db::models::UserRow,
    issued: Issued,
    transport: Transport,
) -> Result<HttpResponse, ApiError> {
    let ttl = state.settings.refresh_token_ttl;
    let refresh_token = match transport {
        Transport::Body => Some(issued.refresh_token),
        Transport::Cookie => {
            res.cookie(refresh_cookie(issued.refresh_token, ttl));
            None
        }
    };
    let view = SessionView {
        access_token: state.jwt.issue(user.id, issued.session_id)?,
        token_type: "Bearer",
        expires_in: state.jwt.ttl().as_secs(),
        refresh_token,
        refresh_expires_in: ttl.as_secs(),
        user: UserView::me(user, &state.settings.media_url),
    };
    Ok(res.json(view))
}

#[utoipa::path(
    post,
    path = "/auth/register",
    operation_id = "register",
    tag = "auth",
    summary = "Create an account",
    description = "Creates the account and signs it in: the answer opens a session.",
    request_body(content = RegisterRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The new account, an access token and a refresh token (or the `tweets_refresh` cookie)", body = crate::routes::views::SessionView),
        (status = 400, response = crate::routes::responses::MalformedBody),
        (status = 409, description = "Username already taken (case-insensitively)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::routes::responses::JsonTooLarge),
        (status = 415, response = crate::routes::responses::NotJson),
        (status = 422, response = crate::routes::responses::Invalid),
        (status = 429, response = crate::routes::responses::RateLimited),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&state.client_key(&req)).await?;
    let body = body.into_inner();
    let mut fields = Validator::default();
    let username = fields.check("username", Username::parse(&body.username));
    let password = fields.check("password", Password::parse(&body.password));
    let display_name = fields.optional(
        "display_name",
        body.display_name.as_deref(),
        DisplayName::parse,
    );
    fields.finish()?;
    let (Some(username), Some(password)) = (username, password) else {
        return Err(ApiError::Unexpected(anyhow::anyhow!(
            "validated fields went missing"
        )));
    };
    let hash = state.passwords.hash(password).await?;
    let ttl = state.settings.refresh_token_ttl;
    let (user, issued) = db::run(&state.pool, move |conn| {
        let display_name = display_name
            .map(DisplayName::into_inner)
            .unwrap_or_else(|| username.as_ref().to_string());
        let new = NewUser {
            username: username.as_ref(),
            password_hash: &hash,
            display_name: &display_name,
        };
        users::register(conn, &new, ttl)
    })
    .await?;
    tracing::info!(user_id = user.id.get(), "user registered");
    state.metrics.users_registered.inc();
    let transport = if body.refresh_cookie {
        Transport::Cookie
    } else {
        Transport::Body
    };
    session_response(&state, HttpResponse::Created(), user, issued, transport)
}

#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "login",
    tag = "auth",
    summary = "Sign in",
    description = "Opens a session. After 5 failed attempts on one account (from any address), each further failure holds the account back for 1, 2, 4 … seconds, at most 15 minutes (429 with `Retry-After`); a device holding a current refresh token of the account (cookie or `refresh_token`) is let through.",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The account, an access token and a refresh token (or the `tweets_refresh` cookie)", body = crate::routes::views::SessionView),
        (status = 400, response = crate::routes::responses::MalformedBody),
        (status = 401, description = "Unknown user or wrong password (one answer for both)", body = crate::error::Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 413, response = crate::routes::responses::JsonTooLarge),
        (status = 415, response = crate::routes::responses::NotJson),
        (status = 422, response = crate::routes::responses::Invalid),
        (status = 429, response = crate::routes::responses::RateLimited),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&state.client_key(&req)).await?;
    let LoginRequest {
        username,
        password,
        refresh_cookie,
        refresh_token,
    } = body.into_inner();
    // Registration's rule decides what can name an account: anything else
    // (a NUL byte, the Kelvin sign that lower-cases to `k`) names none.
    let username = Username::parse(&username).ok();
    let device = presented(&req, refresh_token).map(|(token, _)| token);
    let (found, device_session) = match username {
        None => (None, None),
        Some(username) => {
            db::run(&state.pool, move |conn| {
                let found = users::credentials(conn, &username)?;
                let device = match (&found, device) {
                    (Some(c), Some(token)) if c.blocked_until.is_some() => {
                        sessions::holder(conn, &token)?.filter(|(_, user)| *user == c.id)
                    }
                    _ => None,
                };
                Ok::<_, db::Error>((found, device))
            })
            .await?
        }
    };
    if let Some(until) = found.as_ref().and_then(|c| c.blocked_until) {
        let wait = (until - chrono::Utc::now()).num_milliseconds();
        if wait > 0 && device_session.is_none() {
            tracing::info!("sign-in refused: the account is backing off after failed attempts");
            return Err(ApiError::TooManyRequests {
                retry_after_secs: u64::try_from(wait).unwrap_or(1).div_ceil(1000).max(1),
            });
        }
    }
    let account = found.as_ref().map(|c| c.id);
    let ok = state
        .passwords
        .verify(password, found.map(|c| c.password_hash))
        .await?;
    let Some(id) = account.filter(|_| ok) else {
        tracing::info!("login failed");
        state
            .metrics
            .auth_failures
            .with_label_values(&["login"])
            .inc();
        if let Some(id) = account {
            db::run(&state.pool, move |conn| {
                users::record_failed_login(conn, id)
            })
            .await?;
        }
        return Err(ApiError::invalid_credentials(
            "the username or password is wrong",
        ));
    };
    let ttl = state.settings.refresh_token_ttl;
    let (user, issued) = db::run(&state.pool, move |conn| {
        users::clear_failed_logins(conn, id)?;
        let issued = sessions::open(conn, id, ttl)?;
        Ok::<_, db::Error>((users::get_for_token(conn, id)?, issued))
    })
    .await?;
    let transport = if refresh_cookie {
        Transport::Cookie
    } else {
        Transport::Body
    };
    session_response(&state, HttpResponse::Ok(), user, issued, transport)
}

#[utoipa::path(
    post,
    path = "/auth/refresh",
    operation_id = "refreshSession",
    tag = "auth",
    summary = "Exchange a refresh token for a new access token",
    description = "Each refresh token works once: the answer carries its successor, in the body when it came in the body, as the `tweets_refresh` cookie when it came as that cookie. Presenting a refresh token that was already exchanged revokes the whole session (it was copied).",
    request_body(content = RefreshRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A new access token and the next refresh token", body = crate::routes::views::SessionView),
        (status = 400, response = crate::routes::responses::MalformedBody),
        (status = 401, description = "No refresh token, an unknown or expired one, or one already used (the session is now revoked)", body = crate::error::Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "`Bearer error=\"invalid_token\"`"))),
        (status = 413, response = crate::routes::responses::JsonTooLarge),
        (status = 415, response = crate::routes::responses::NotJson),
        (status = 422, response = crate::routes::responses::Invalid),
        (status = 429, response = crate::routes::responses::RateLimited),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&state.client_key(&req)).await?;
    let Some((token, transport)) = presented(&req, body.into_inner().refresh_token) else {
        return Err(ApiError::unauthorized(
            "send the refresh token in the body or the tweets_refresh cookie",
        ));
    };
    let ttl = state.settings.refresh_token_ttl;
    let outcome = db::run(&state.pool, move |conn| {
        let outcome = sessions::rotate(conn, &token, ttl)?;
        let user = match &outcome {
            Refreshed::Rotated { user_id, .. } => Some(users::get_for_token(conn, *user_id)?),
            _ => None,
        };
        Ok::<_, db::Error>((outcome, user))
    })
    .await?;
    match outcome {
        (Refreshed::Rotated { issued, .. }, Some(user)) => {
            session_response(&state, HttpResponse::Ok(), user, issued, transport)
        }
        (Refreshed::Reused, _) => Err(ApiError::token_refused(
            "this refresh token was already used: the session has been revoked, sign in again",
            "refresh_token_reused",
        )),
        _ => Err(ApiError::token_refused(
            "the refresh token is unknown or its session has ended",
            "session_ended",
        )),
    }
}

#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "logout",
    tag = "auth",
    summary = "Sign out",
    description = "Ends the session named by the refresh token (body or cookie) or, without one, by the access token: its access and refresh tokens stop working at once. Idempotent; the body may be omitted.",
    request_body(content = Option<RefreshRequest>, content_type = "application/json"),
    security((), ("bearer" = [])),
    responses(
        (status = 204, description = "Signed out (the `tweets_refresh` cookie is cleared)"),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    body: Option<JsonBody<RefreshRequest>>,
) -> Result<HttpResponse, ApiError> {
    let token = presented(&req, body.and_then(|b| b.into_inner().refresh_token));
    let by_access = viewer.0.map(|u| u.session_id);
    db::run(&state.pool, move |conn| {
        let by_refresh = match token {
            Some((token, _)) => sessions::holder(conn, &token)?.map(|(sid, _)| sid),
            None => None,
        };
        for sid in by_refresh.into_iter().chain(by_access) {
            sessions::revoke(conn, sid, "signed out")?;
        }
        Ok::<_, db::Error>(())
    })
    .await?;
    let mut res = HttpResponse::NoContent();
    clear_refresh_cookie(&mut res);
    Ok(res.finish())
}
