use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::{SessionView, UserView};
use crate::{
    auth::hash_password,
    db::{self, models::NewUser, users},
    domain::{DisplayName, Password, Username},
    error::{ApiError, Validator},
    startup::AppState,
};

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
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"username": "alice", "password": "correct horse battery"}))]
pub struct LoginRequest {
    /// Case-insensitive.
    username: String,
    password: String,
}

fn session(state: &AppState, user: db::models::UserRow) -> Result<SessionView, ApiError> {
    Ok(SessionView {
        access_token: state.jwt.issue(user.id)?,
        token_type: "Bearer",
        expires_in: state.jwt.ttl().as_secs(),
        user: UserView::new(
            db::models::UserWithRelation {
                user,
                followed_by_me: Some(false),
            },
            &state.settings.media_url,
        ),
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    operation_id = "register",
    tag = "auth",
    summary = "Create an account",
    request_body(content = RegisterRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The new account and an access token", body = crate::routes::views::SessionView),
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
    body: super::json::JsonBody<RegisterRequest>,
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
    let hash = web::block(move || hash_password(&password)).await??;
    let user = db::run(&state.pool, move |conn| {
        let display_name = display_name
            .map(DisplayName::into_inner)
            .unwrap_or_else(|| username.as_ref().to_string());
        users::insert(
            conn,
            &NewUser {
                username: username.as_ref(),
                password_hash: &hash,
                display_name: &display_name,
            },
        )
    })
    .await?;
    tracing::info!(user_id = user.id, "user registered");
    state.metrics.users_registered.inc();
    Ok(HttpResponse::Created().json(session(&state, user)?))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    operation_id = "login",
    tag = "auth",
    summary = "Log in",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The account and a fresh access token", body = crate::routes::views::SessionView),
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
    body: super::json::JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&state.client_key(&req)).await?;
    let LoginRequest { username, password } = body.into_inner();
    let lookup = username.clone();
    let found = db::run(&state.pool, move |conn| users::credentials(conn, &lookup)).await?;
    let hasher = state.passwords.clone();
    let (id, ok) = web::block(move || {
        let ok = hasher.verify(&password, found.as_ref().map(|(_, h)| h.as_str()));
        (found.map(|(id, _)| id), ok)
    })
    .await?;
    let Some(id) = id.filter(|_| ok) else {
        tracing::info!("login failed");
        state
            .metrics
            .auth_failures
            .with_label_values(&["login"])
            .inc();
        return Err(ApiError::unauthorized("the username or password is wrong"));
    };
    let user = db::run(&state.pool, move |conn| users::get_for_token(conn, id)).await?;
    Ok(HttpResponse::Ok().json(session(&state, user)?))
}
