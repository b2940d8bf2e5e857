//! Builds the application from [`Settings`] and a bound listener, so tests can
//! run it on port 0 and read the port back. Nothing global.

use std::{net::TcpListener, sync::Arc};

use actix_cors::Cors;
use actix_web::{
    dev::Server,
    error::{PathError, QueryPayloadError},
    http::header,
    middleware::{from_fn, Condition, DefaultHeaders, ErrorHandlers},
    web, App, HttpRequest, HttpServer,
};

use anyhow::Context as _;

use crate::{
    auth::{JwtKeys, PasswordHasher},
    config::Settings,
    db::{DbPool, PoolMetrics},
    error::{json_error, problem_for_plain_errors, ApiError},
    limits,
    media::{check_image, LocalMediaStore, MediaStore},
    metrics::Metrics,
    ratelimit::{RateLimiter, RedisBackend},
    routes, telemetry,
};

/// Largest JSON body accepted (64 KiB).
pub const JSON_LIMIT: usize = 64 * 1024;

/// Everything a handler may need, built once at startup.
pub struct AppState {
    pub pool: DbPool,
    pub jwt: JwtKeys,
    pub settings: Arc<Settings>,
    pub passwords: PasswordHasher,
    pub auth_limiter: RateLimiter,
    pub post_limiter: RateLimiter,
    /// The OpenAPI document, rendered once.
    pub openapi_json: String,
    /// Where uploaded images are stored.
    pub media: Arc<dyn MediaStore>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(
        settings: Arc<Settings>,
        pool: DbPool,
        pool_metrics: &PoolMetrics,
    ) -> Result<Self, ApiError> {
        let metrics = Metrics::new(pool_metrics)
            .map_err(|e| ApiError::Unexpected(anyhow::anyhow!("registering metrics: {e}")))?;
        let redis = match &settings.redis_url {
            Some(url) => {
                metrics.redis_configured.set(1);
                Some(Arc::new(
                    RedisBackend::new(url, metrics.redis_up.clone()).map_err(|e| {
                        ApiError::Unexpected(anyhow::anyhow!("REDIS_URL is not usable: {e}"))
                    })?,
                ))
            }
            None => None,
        };
        Ok(Self {
            metrics: Arc::new(metrics),
            jwt: JwtKeys::new(
                settings.jwt_secret.expose().as_bytes(),
                settings.access_token_ttl,
            ),
            passwords: PasswordHasher::new(
                settings.password_hash_concurrency,
                settings.password_hash_queue_timeout,
            )?,
            auth_limiter: RateLimiter::shared(
                "auth",
                settings.rate_limits.auth_per_minute,
                redis.clone(),
            ),
            post_limiter: RateLimiter::shared(
                "posts",
                settings.rate_limits.posts_per_minute,
                redis,
            ),
            openapi_json: routes::openapi::json(),
            media: Arc::new(LocalMediaStore::new(settings.media_root.clone())),
            pool,
            settings,
        })
    }

    /// The key client-address rate limits count under. Behind a trusted
    /// proxy (`TRUST_FORWARDED_FOR`) that is the last `X-Forwarded-For`
    /// entry: the address the nearest proxy saw. nginx replaces the header
    /// with that one address; a load balancer appends it to whatever the
    /// client sent, so earlier entries are the client's own claims.
    pub fn client_key(&self, req: &HttpRequest) -> String {
        let forwarded = self
            .settings
            .trust_forwarded_for
            .then(|| {
                req.headers()
                    .get_all(header::X_FORWARDED_FOR)
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .rfind(|v| !v.is_empty())
                    .map(str::to_string)
            })
            .flatten();
        let addr = forwarded.or_else(|| req.connection_info().peer_addr().map(str::to_string));
        format!("ip:{}", addr.as_deref().unwrap_or("unknown"))
    }

    /// Checks an uploaded image (type from its bytes, size, dimensions),
    /// strips its metadata and stores it; returns the stored name. Off the
    /// async workers.
    pub async fn store_image(&self, bytes: Vec<u8>) -> Result<String, ApiError> {
        let store = self.media.clone();
        let span = tracing::Span::current();
        web::block(move || {
            let _entered = span.enter();
            let image = check_image(bytes)?;
            store.put(&image).map_err(|e| {
                ApiError::Unexpected(anyhow::Error::new(e).context("storing an image"))
            })
        })
        .await?
    }

    /// Removes a stored image (off the async workers); failures are logged,
    /// a missing file is fine.
    pub async fn remove_media(&self, stored: String) {
        let store = self.media.clone();
        match web::block(move || store.remove(&stored)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "could not remove a media file"),
            Err(e) => tracing::warn!(error = %e, "could not remove a media file"),
        }
    }
}

pub struct Application {
    port: u16,
    server: Server,
    metrics_port: Option<u16>,
    metrics_server: Option<Server>,
}

impl Application {
    /// Binds `settings.bind_addr` (and `settings.metrics_addr`) and builds
    /// the servers.
    pub fn build(
        settings: Settings,
        pool: DbPool,
        pool_metrics: &PoolMetrics,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.bind_addr)
            .with_context(|| format!("binding BIND_ADDR {}", settings.bind_addr))?;
        let metrics_listener = match settings.metrics_addr {
            Some(addr) => Some(
                TcpListener::bind(addr).with_context(|| format!("binding METRICS_ADDR {addr}"))?,
            ),
            None => None,
        };
        Self::with_listeners(settings, pool, pool_metrics, listener, metrics_listener)
    }

    /// Builds the API server on `listener` and, when given one, the metrics
    /// server on `metrics_listener` (tests pass port-0 listeners).
    pub fn with_listeners(
        settings: Settings,
        pool: DbPool,
        pool_metrics: &PoolMetrics,
        listener: TcpListener,
        metrics_listener: Option<TcpListener>,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let settings = Arc::new(settings);
        let state = web::Data::new(AppState::new(settings.clone(), pool, pool_metrics)?);
        let shutdown_secs = settings.shutdown_timeout.as_secs();
        let workers = settings.http_workers;
        let (metrics_port, metrics_server) = match metrics_listener {
            Some(listener) => (
                Some(listener.local_addr()?.port()),
                Some(metrics_server(state.clone(), listener)?),
            ),
            None => (None, None),
        };
        let mut server = HttpServer::new(move || {
            let settings = state.settings.clone();
            let mut app = App::new()
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(JSON_LIMIT)
                        .error_handler(|err, _| json_error(err).into()),
                )
                .app_data(
                    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _| {
                        ApiError::BadRequest(format!("the query string is not valid: {err}")).into()
                    }),
                )
                .app_data(web::PathConfig::default().error_handler(|_: PathError, _| {
                    ApiError::NotFound("no such resource".into()).into()
                }))
                .app_data(web::PayloadConfig::default().limit(JSON_LIMIT))
                .wrap(Condition::new(
                    !settings.cors_allowed_origins.is_empty(),
                    cors(&settings),
                ))
                .wrap(ErrorHandlers::new().default_handler(problem_for_plain_errors))
                .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
                .wrap(from_fn(limits::body_deadlines))
                .wrap(from_fn(telemetry::request_id_middleware))
                .configure(routes::configure)
                .service(routes::media_service(&settings.media_root));
            if let Some(dir) = &settings.static_dir {
                app = app.service(routes::spa_service(dir));
            }
            app.default_service(web::to(routes::not_found))
        })
        .shutdown_timeout(shutdown_secs)
        .max_connections(settings.max_connections_per_worker);
        if let Some(n) = workers {
            server = server.workers(n);
        }
        let server = server.listen(listener)?.run();
        Ok(Self {
            port,
            server,
            metrics_port,
            metrics_server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The metrics listener's port, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// Serves until SIGINT/SIGTERM, then finishes in-flight requests
    /// (up to `SHUTDOWN_TIMEOUT`) before returning; the metrics server
    /// stops with the API.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics_server.map(|server| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        let result = self.server.await;
        if let Some(handle) = metrics {
            handle.stop(true).await;
        }
        result
    }

    /// Handles that stop the servers (the API's first).
    pub fn server_handles(&self) -> Vec<actix_web::dev::ServerHandle> {
        std::iter::once(self.server.handle())
            .chain(self.metrics_server.as_ref().map(Server::handle))
            .collect()
    }
}

/// `/metrics` on its own listener, one worker, never on the API's port: the
/// API port is what nginx and the internet reach.
fn metrics_server(state: web::Data<AppState>, listener: TcpListener) -> anyhow::Result<Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .service(
                web::resource("/metrics")
                    .route(
                        web::route()
                            .guard(
                                actix_web::guard::Any(actix_web::guard::Get())
                                    .or(actix_web::guard::Head()),
                            )
                            .to(crate::metrics::serve_metrics),
                    )
                    .default_service(web::to(|| async {
                        Err::<&'static str, _>(ApiError::MethodNotAllowed { allow: "GET, HEAD" })
                    })),
            )
            .default_service(web::to(routes::not_found))
            .wrap(from_fn(telemetry::request_id_middleware))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}

fn cors(settings: &Settings) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in &settings.cors_allowed_origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
