use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::json;

use crate::{db, error::ApiError, startup::AppState};

/// `{"status": "ok"}` or `{"status": "ready"}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    summary = "Liveness",
    responses(
        (status = 200, description = "The process serves", body = crate::routes::health::Health),
    )
)]
/// Liveness: answers while the process serves, whatever the database does.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    summary = "Readiness",
    responses(
        (status = 200, description = "The database answers", body = crate::routes::health::Health),
        (status = 503, description = "The database is not answering", body = crate::error::Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
/// Readiness: 200 when the database answers, else a 503 problem document.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, db::ping).await.map_err(|e| match e {
        ApiError::Unavailable(_) | ApiError::Unexpected(_) => {
            ApiError::Unavailable("the database is not answering".into())
        }
        other => other,
    })?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
