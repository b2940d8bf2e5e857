use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::{db, error::ApiError, startup::AppState};

/// Liveness: answers while the process serves, whatever the database does.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

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
