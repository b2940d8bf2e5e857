use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{
    upload::{is_multipart, read_form},
    views::UserView,
};
use crate::{
    auth::AuthUser,
    db::{self, models::UserWithRelation, users},
    domain::{Bio, DisplayName},
    error::{ApiError, Validator},
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
    operation_id = "getMe",
    tag = "me",
    summary = "The signed-in account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
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
    operation_id = "updateMe",
    tag = "me",
    summary = "Edit the profile",
    description = "Absent fields are left as they are.",
    request_body(content = ProfileUpdate, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated account", body = crate::routes::views::UserView),
        (status = 400, response = crate::routes::responses::MalformedBody),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 413, response = crate::routes::responses::JsonTooLarge),
        (status = 415, response = crate::routes::responses::NotJson),
        (status = 422, response = crate::routes::responses::Invalid),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    me: AuthUser,
    body: super::json::JsonBody<ProfileUpdate>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut fields = Validator::default();
    let changes = users::ProfileChanges {
        display_name: fields
            .optional(
                "display_name",
                body.display_name.as_deref(),
                DisplayName::parse,
            )
            .map(DisplayName::into_inner),
        bio: fields
            .optional("bio", body.bio.as_deref(), Bio::parse)
            .map(Bio::into_inner),
    };
    fields.finish()?;
    let user = db::run(&state.pool, move |conn| {
        users::update_profile(conn, me.id, &changes)
    })
    .await?;
    Ok(HttpResponse::Ok().json(me_view(&state, user)))
}

/// The multipart form of `PUT /me/avatar`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; the part is read by `upload::read_form`
pub struct AvatarForm {
    /// PNG, JPEG, GIF or WebP, at most 5 MiB and 40 megapixels; recognised by its bytes.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    image: Vec<u8>,
}

#[utoipa::path(
    put,
    path = "/api/v1/me/avatar",
    operation_id = "setAvatar",
    tag = "me",
    summary = "Set the avatar",
    description = "Replaces the avatar; the previous image file is removed.",
    request_body(content = AvatarForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account with its new `avatar_url`", body = crate::routes::views::UserView),
        (status = 400, description = "Malformed multipart body", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 413, description = "Image over 5 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or the image is not PNG, JPEG, GIF or WebP", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `image` part, or an image too large in pixels or damaged", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn avatar(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: AuthUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !is_multipart(&req) {
        return Err(ApiError::UnsupportedMediaType(
            "send the avatar as multipart/form-data with an `image` part".into(),
        ));
    }
    let form = read_form(&req, payload, &[]).await?;
    let bytes = form
        .image
        .ok_or_else(|| ApiError::field("image", "is required"))?;
    let stored = state.store_image(bytes).await?;
    let name = stored.clone();
    match db::run(&state.pool, move |conn| {
        users::set_avatar(conn, me.id, &name)
    })
    .await
    {
        Ok((user, old)) => {
            if let Some(old) = old {
                state.remove_media(old).await;
            }
            Ok(HttpResponse::Ok().json(me_view(&state, user)))
        }
        Err(e) => {
            state.remove_media(stored).await;
            Err(e)
        }
    }
}
