use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::views::UserView;
use crate::{
    auth::AuthUser,
    db::{self, models::UserWithRelation, users},
    domain::{Bio, DisplayName},
    error::{ApiError, FieldErrors},
    startup::AppState,
};

fn me_view(state: &AppState, user: db::models::UserRow) -> UserView {
    UserView::new(
        UserWithRelation {
            user,
            followed_by_me: Some(false),
        },
        &state.settings.media_url,
    )
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    summary = "The signed-in account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = crate::routes::views::UserView),
        (status = 401, description = "Missing, invalid or expired access token", body = crate::error::Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "`Bearer`, with `error=\"invalid_token\"` when a token was sent"))),
        (status = 503, description = "The database is unavailable", body = crate::error::Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn get(state: web::Data<AppState>, me: AuthUser) -> Result<HttpResponse, ApiError> {
    let user = db::run(&state.pool, move |conn| users::get_for_token(conn, me.id)).await?;
    Ok(HttpResponse::Ok().json(me_view(&state, user)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"display_name": "Alice A.", "bio": "Writes about #rust"}))]
pub struct ProfileUpdate {
    /// 0–50 characters, trimmed, no control characters.
    #[schema(max_length = 50)]
    display_name: Option<String>,
    /// 0–160 characters, trimmed.
    #[schema(max_length = 160)]
    bio: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "me",
    summary = "Edit the profile",
    description = "Absent fields are left as they are.",
    request_body(content = ProfileUpdate, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated account", body = crate::routes::views::UserView),
        (status = 400, description = "Malformed JSON or query string", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = crate::error::Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "`Bearer`, with `error=\"invalid_token\"` when a token was sent"))),
        (status = 413, description = "Body larger than 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Well-formed but invalid fields; `errors` says which", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = crate::error::Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    me: AuthUser,
    body: super::json::JsonBody<ProfileUpdate>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    let mut changes = users::ProfileChanges::default();
    if let Some(raw) = body.display_name.as_deref() {
        match DisplayName::parse(raw) {
            Ok(v) => changes.display_name = Some(v.into_inner()),
            Err(e) => {
                errors.insert("display_name".into(), vec![e]);
            }
        }
    }
    if let Some(raw) = body.bio.as_deref() {
        match Bio::parse(raw) {
            Ok(v) => changes.bio = Some(v.into_inner()),
            Err(e) => {
                errors.insert("bio".into(), vec![e]);
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let user = db::run(&state.pool, move |conn| {
        users::update_profile(conn, me.id, &changes)
    })
    .await?;
    Ok(HttpResponse::Ok().json(me_view(&state, user)))
}

/// Avatar uploads arrive with image support; until then the endpoint says so.
pub async fn avatar(_me: AuthUser) -> Result<HttpResponse, ApiError> {
    Err(ApiError::UnsupportedMediaType(
        "image uploads are not supported by this server yet".into(),
    ))
}
