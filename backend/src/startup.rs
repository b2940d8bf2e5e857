//! Builds the application from [`Settings`] and a bound listener, so tests can
//! run it on port 0 and read the port back. Nothing global.

use std::{net::TcpListener, sync::Arc};

use actix_cors::Cors;
use actix_web::{
    dev::Server,
    error::{PathError, QueryPayloadError},
    http::header,
    middleware::{from_fn, Condition, DefaultHeaders, ErrorHandlers},
    web, App, HttpServer,
};

use anyhow::Context as _;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    config::Settings,
    db::{self, DbPool, PoolMetrics},
    error::{json_error, problem_for_plain_errors, ApiError},
    limits, routes,
    state::AppState,
    telemetry,
};

/// Largest JSON body accepted (64 KiB).
pub const JSON_LIMIT: usize = 64 * 1024;

pub struct Application {
    port: u16,
    /// The home-timeline fan-out worker, started with the server.
    fanout: Option<(DbPool, i64, crate::db::fanout::FanoutMetrics)>,
    /// The live-event listener's database URL and hub, when it runs.
    events: Option<(String, crate::db::events::Hub)>,
    replica_checks: Option<(Arc<db::Replicas>, DbPool, std::time::Duration)>,
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
        let state = web::Data::new(AppState::build(settings.clone(), pool, pool_metrics)?);
        let openapi = web::Data::new(routes::openapi::Document(routes::openapi::json()));
        let fanout = settings.fanout_worker.then(|| {
            (
                state.pool.clone(),
                settings.fanout_max_followers,
                state.fanout.clone(),
            )
        });
        let events = settings
            .live_events
            .then(|| (settings.database_url.clone(), state.events.clone()));
        let replica_checks = (!state.replicas.is_empty()).then(|| {
            (
                state.replicas.clone(),
                state.pool.clone(),
                settings.replica_check_interval,
            )
        });
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
                .app_data(openapi.clone())
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
                // A path segment that names nothing (`/tweets/abc`): the
                // typed id's refusal ("no tweet with id `abc`") is the detail.
                .app_data(
                    web::PathConfig::default().error_handler(|err: PathError, _| {
                        let PathError::Deserialize(err) = err else {
                            return ApiError::NotFound("no such resource".into()).into();
                        };
                        ApiError::NotFound(err.to_string()).into()
                    }),
                )
                .app_data(web::PayloadConfig::default().limit(JSON_LIMIT))
                .wrap(Condition::new(
                    !settings.cors_allowed_origins.is_empty(),
                    cors(&settings),
                ))
                .wrap(ErrorHandlers::new().default_handler(problem_for_plain_errors))
                .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
                .wrap(from_fn(db::replicas::remember_writers))
                .wrap(from_fn(db::budget::middleware))
                .wrap(from_fn(limits::body_deadlines))
                .wrap(from_fn(telemetry::request_id_middleware))
                .configure(|cfg| routes::configure(&mut ServiceConfig::new(cfg)))
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
            fanout,
            events,
            replica_checks,
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
        let fanout = self.fanout.map(|(pool, max_followers, metrics)| {
            actix_web::rt::spawn(crate::db::fanout::run_worker(
                pool,
                max_followers,
                std::time::Duration::from_millis(200),
                metrics,
            ))
        });
        let listener = self
            .events
            .map(|(url, hub)| actix_web::rt::spawn(crate::db::events::run_listener(url, hub)));
        let checks = self.replica_checks.map(|(replicas, primary, interval)| {
            actix_web::rt::spawn(crate::db::replicas::run_checks(replicas, primary, interval))
        });
        let result = self.server.await;
        if let Some(checks) = checks {
            checks.abort();
        }
        if let Some(worker) = fanout {
            worker.abort();
        }
        if let Some(listener) = listener {
            listener.abort();
        }
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
                        Err::<&'static str, _>(ApiError::MethodNotAllowed {
                            allow: "GET, HEAD".into(),
                        })
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
