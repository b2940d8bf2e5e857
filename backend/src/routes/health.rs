use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::json;

use crate::{db, error::ApiError, state::AppState};

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

/// Readiness answers within this time, whatever the database does: probes
/// (Docker, Kubernetes, load balancers) give up after a second or two.
pub const READY_DEADLINE: Duration = Duration::from_millis(900);

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
/// Readiness: 200 when the database answers, else a 503 problem document —
/// within [`READY_DEADLINE`], even while the pool is exhausted or the server
/// has stopped answering.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let wait = READY_DEADLINE.min(state.settings.db_pool_timeout);
    let ping = db::run_within(&state.pool, wait, db::ping);
    match tokio::time::timeout(READY_DEADLINE, ping).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(json!({"status": "ready"}))),
        Ok(Err(db::Error::Unavailable(_) | db::Error::Other(_))) | Err(_) => Err(
            ApiError::Unavailable("the database is not answering".into()),
        ),
        Ok(Err(other)) => Err(other.into()),
    }
}
