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

pub async fn get(state: web::Data<AppState>, me: AuthUser) -> Result<HttpResponse, ApiError> {
    let user = db::run(&state.pool, move |conn| users::get_for_token(conn, me.id)).await?;
    Ok(HttpResponse::Ok().json(me_view(&state, user)))
}

#[derive(Deserialize)]
pub struct ProfileUpdate {
    display_name: Option<String>,
    bio: Option<String>,
}

pub async fn update(
    state: web::Data<AppState>,
    me: AuthUser,
    body: web::Json<ProfileUpdate>,
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
