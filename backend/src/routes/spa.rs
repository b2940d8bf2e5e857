//! Static files for one-process local use: the single-page app from
//! `STATIC_DIR` (with an `index.html` fallback for client-side routes) and
//! uploaded images from `MEDIA_ROOT` at `/media/`. In the container stack
//! nginx serves both.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::{
    dev::{fn_service, HttpServiceFactory, ServiceRequest, ServiceResponse},
    http::{header, Method},
    middleware::DefaultHeaders,
    web, ResponseError,
};

use crate::error::ApiError;

/// Paths that belong to the API: never answered with the SPA's `index.html`.
fn is_api_path(path: &str) -> bool {
    ["/api/", "/media/"].iter().any(|p| path.starts_with(p))
        || ["/api", "/media", "/healthz", "/readyz", "/metrics"].contains(&path)
}

/// `/media/…`: files only (no listings, no traversal: actix-files refuses `..`
/// and hidden segments), `nosniff`, and long-lived caching — stored names are
/// random and never reused.
pub fn media_service(media_root: &Path) -> impl HttpServiceFactory {
    web::scope("/media")
        .wrap(
            DefaultHeaders::new()
                .add((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
        )
        .service(
            Files::new("", media_root)
                .use_etag(true)
                .use_last_modified(true)
                .default_handler(fn_service(|req: ServiceRequest| async move {
                    let (req, _) = req.into_parts();
                    let res = ApiError::NotFound("no such file".into()).error_response();
                    Ok(ServiceResponse::new(req, res))
                })),
        )
}

/// The SPA at `/`: real files as they are, anything else that is a GET for a
/// page gets `index.html` so deep links (`/u/alice`, `/t/123`) survive a reload.
pub fn spa_service(static_dir: &Path) -> Files {
    let index: PathBuf = static_dir.join("index.html");
    Files::new("/", static_dir)
        .index_file("index.html")
        .use_etag(true)
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                let res = if is_api_path(req.path()) {
                    ApiError::NotFound("no such resource".into()).error_response()
                } else if req.method() != Method::GET && req.method() != Method::HEAD {
                    ApiError::MethodNotAllowed {
                        allow: "GET, HEAD".into(),
                    }
                    .error_response()
                } else {
                    match web::block(move || NamedFile::open(index)).await {
                        Ok(Ok(file)) => {
                            let mut res = file.into_response(&req);
                            res.headers_mut().insert(
                                header::CACHE_CONTROL,
                                header::HeaderValue::from_static("no-cache"),
                            );
                            res
                        }
                        _ => ApiError::NotFound("no such page".into()).error_response(),
                    }
                };
                Ok::<_, actix_web::Error>(ServiceResponse::new(req, res))
            }
        }))
}

#[cfg(test)]
mod tests {
    use super::is_api_path;

    #[test]
    fn api_paths_never_fall_back_to_the_app() {
        assert!(is_api_path("/api/v1/nope"));
        assert!(is_api_path("/healthz"));
        assert!(is_api_path("/media/ab/cd.png"));
        assert!(!is_api_path("/u/alice"));
        assert!(!is_api_path("/t/123"));
        assert!(!is_api_path("/apiary"));
    }
}
