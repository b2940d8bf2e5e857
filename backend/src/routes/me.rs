use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{
    upload::{is_multipart, read_form},
    views::UserView,
};
use crate::{
    auth::AuthUser,
    db::{self, users},
    domain::{Bio, DisplayName, Password},
    error::{ApiError, Validator},
    state::AppState,
};

fn me_view(state: &AppState, user: db::models::UserRow) -> UserView {
    UserView::me(user, &state.settings.media_url)
}

#[utoipa::path(
    get,
    path = "/me",
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
    path = "/me",
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
    path = "/me/avatar",
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
    let stored = state.media.store(bytes).await?;
    let name = stored.clone();
    match db::run(&state.pool, move |conn| {
        users::set_avatar(conn, me.id, &name)
    })
    .await
    {
        Ok((user, old)) => {
            if let Some(old) = old {
                state.media.remove(old).await;
            }
            Ok(HttpResponse::Ok().json(me_view(&state, user)))
        }
        Err(e) => {
            state.media.remove(stored).await;
            Err(e.into())
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"current_password": "correct horse battery", "new_password": "a new long passphrase"}))]
pub struct PasswordChange {
    current_password: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
}

#[utoipa::path(
    post,
    path = "/me/password",
    operation_id = "changePassword",
    tag = "me",
    summary = "Change the password",
    description = "Every other session of the account ends (its access and refresh tokens stop working); this one goes on.",
    request_body(content = PasswordChange, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; the other sessions are signed out"),
        (status = 400, response = crate::routes::responses::MalformedBody),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 413, response = crate::routes::responses::JsonTooLarge),
        (status = 415, response = crate::routes::responses::NotJson),
        (status = 422, description = "`current_password` is wrong, or `new_password` is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn change_password(
    state: web::Data<AppState>,
    me: AuthUser,
    body: super::json::JsonBody<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new =
        Password::parse(&body.new_password).map_err(|e| ApiError::field("new_password", e))?;
    confirm_password(&state, me, body.current_password, "current_password").await?;
    let hash = state.passwords.hash(new).await?;
    let ended = db::run(&state.pool, move |conn| {
        users::change_password(conn, me.id, &hash, me.session_id)
    })
    .await?;
    tracing::info!(
        user_id = me.id.get(),
        other_sessions_ended = ended,
        "password changed"
    );
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"password": "correct horse battery"}))]
pub struct AccountDeletion {
    /// The account's password, to confirm.
    password: String,
}

#[utoipa::path(
    delete,
    path = "/me",
    operation_id = "deleteMe",
    tag = "me",
    summary = "Delete the account",
    description = "Deletes the account with its tweets, likes, follows, sessions and uploaded images. Replies others wrote to its tweets stay, detached. Not reversible.",
    request_body(content = AccountDeletion, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted (the `tweets_refresh` cookie is cleared)"),
        (status = 400, response = crate::routes::responses::MalformedBody),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 413, response = crate::routes::responses::JsonTooLarge),
        (status = 415, response = crate::routes::responses::NotJson),
        (status = 422, description = "`password` is wrong", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    me: AuthUser,
    body: super::json::JsonBody<AccountDeletion>,
) -> Result<HttpResponse, ApiError> {
    confirm_password(&state, me, body.into_inner().password, "password").await?;
    let media = db::run(&state.pool, move |conn| users::delete_account(conn, me.id)).await?;
    for stored in media {
        state.media.remove(stored).await;
    }
    tracing::info!(user_id = me.id.get(), "account deleted");
    let mut res = HttpResponse::NoContent();
    super::auth::clear_refresh_cookie(&mut res);
    Ok(res.finish())
}

/// A 422 on `field` unless `password` is the account's.
async fn confirm_password(
    state: &AppState,
    me: AuthUser,
    password: String,
    field: &str,
) -> Result<(), ApiError> {
    let stored = db::run(&state.pool, move |conn| users::password_hash(conn, me.id)).await?;
    if state.passwords.verify(password, Some(stored)).await? {
        Ok(())
    } else {
        Err(ApiError::field(field, "is not the account's password"))
    }
}
