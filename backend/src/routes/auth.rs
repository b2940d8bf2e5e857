use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::{SessionView, UserView};
use crate::{
    auth::hash_password,
    db::{self, models::NewUser, users},
    domain::{DisplayName, Password, Username},
    error::{ApiError, FieldErrors},
    startup::AppState,
};

#[derive(Deserialize)]
pub struct RegisterRequest {
    username: String,
    password: String,
    display_name: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginRequest {
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

pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&state.client_key(&req))?;
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    let username = Username::parse(&body.username)
        .map_err(|e| errors.insert("username".into(), vec![e]))
        .ok();
    let password = Password::parse(&body.password)
        .map_err(|e| errors.insert("password".into(), vec![e]))
        .ok();
    let display_name = match body.display_name.as_deref() {
        None => None,
        Some(raw) => DisplayName::parse(raw)
            .map_err(|e| errors.insert("display_name".into(), vec![e]))
            .ok(),
    };
    let (Some(username), Some(password)) = (username, password) else {
        return Err(ApiError::invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
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
    Ok(HttpResponse::Created().json(session(&state, user)?))
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&state.client_key(&req))?;
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
        return Err(ApiError::unauthorized("the username or password is wrong"));
    };
    let user = db::run(&state.pool, move |conn| users::get_for_token(conn, id)).await?;
    Ok(HttpResponse::Ok().json(session(&state, user)?))
}
