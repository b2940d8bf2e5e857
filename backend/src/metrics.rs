//! Prometheus metrics, on a registry per application (nothing global, so
//! tests running side by side do not mix their numbers), served at
//! `GET /metrics` in the text format on a listener of its own (`METRICS_ADDR`).

use actix_web::{http::Method, web, HttpResponse};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::{db::PoolMetrics, error::ApiError, state::AppState};

/// The `route` label of requests that matched no route: one value, so
/// scanners cannot blow up the label's cardinality.
pub const UNMATCHED_ROUTE: &str = "unmatched";

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    pub tweets_created: IntCounter,
    pub users_registered: IntCounter,
    pub auth_failures: IntCounterVec,
    /// 1 when `REDIS_URL` is set.
    pub redis_configured: IntGauge,
    /// 1 while rate limiting uses Redis, 0 while it falls back to this
    /// process (or Redis is not configured).
    pub redis_up: IntGauge,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
}

impl Metrics {
    /// Every metric the API exports, registered on a fresh registry.
    pub fn new(
        pool: &PoolMetrics,
        fanout: &crate::db::fanout::FanoutMetrics,
        replicas: &crate::db::replicas::ReplicaMetrics,
    ) -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by method, matched route and status",
            ),
            &["method", "route", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )?;
        let tweets_created =
            IntCounter::new("tweets_created_total", "Tweets posted (replies included)")?;
        let users_registered = IntCounter::new("users_registered_total", "Accounts registered")?;
        let auth_failures = IntCounterVec::new(
            Opts::new(
                "auth_failures_total",
                "Refused authentications: `login` (wrong credentials) or `token` (invalid or expired access token)",
            ),
            &["reason"],
        )?;
        let redis_configured = IntGauge::new(
            "ratelimit_redis_configured",
            "1 when rate limits are meant to be shared through Redis (REDIS_URL set)",
        )?;
        let redis_up = IntGauge::new(
            "ratelimit_redis_up",
            "1 while rate limits are counted in Redis, 0 while this process counts on its own",
        )?;
        let pool_connections = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections in the pool, by state (in_use, idle)",
            ),
            &["state"],
        )?;
        let pool_max = IntGauge::new(
            "db_pool_max_connections",
            "Largest number of connections the pool opens",
        )?;
        let build_info = IntGaugeVec::new(
            Opts::new(
                "build_info",
                "The running build: always 1, labelled with its version and commit",
            ),
            &["version", "git_sha"],
        )?;
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), env!("TWEETS_GIT_SHA")])
            .set(1);
        for state in ["in_use", "idle"] {
            pool_connections.with_label_values(&[state]).set(0);
        }
        for reason in ["login", "token"] {
            auth_failures.with_label_values(&[reason]).inc_by(0);
        }

        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(tweets_created.clone()))?;
        registry.register(Box::new(users_registered.clone()))?;
        registry.register(Box::new(auth_failures.clone()))?;
        registry.register(Box::new(redis_configured.clone()))?;
        registry.register(Box::new(redis_up.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        registry.register(Box::new(build_info))?;
        registry.register(Box::new(pool.queries.clone()))?;
        registry.register(Box::new(pool.checkout_wait.clone()))?;
        registry.register(Box::new(pool.timeouts.clone()))?;
        registry.register(Box::new(fanout.copies.clone()))?;
        registry.register(Box::new(fanout.tweets.clone()))?;
        registry.register(Box::new(fanout.lag.clone()))?;
        registry.register(Box::new(replicas.up.clone()))?;
        registry.register(Box::new(replicas.lag.clone()))?;
        registry.register(Box::new(replicas.reads.clone()))?;
        registry.register(Box::new(replicas.queries.clone()))?;
        registry.register(Box::new(replicas.wait.clone()))?;
        registry.register(Box::new(replicas.timeouts.clone()))?;
        registry.register(Box::new(replicas.connections.clone()))?;
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            tweets_created,
            users_registered,
            auth_failures,
            redis_configured,
            redis_up,
            pool_connections,
            pool_max,
        })
    }

    /// Records one answered request. `route` is the matched pattern
    /// (`/api/v1/tweets/{id}`), never the raw path.
    pub fn observe_request(&self, method: &Method, route: Option<&str>, status: u16, seconds: f64) {
        let method = match *method {
            Method::GET
            | Method::HEAD
            | Method::POST
            | Method::PUT
            | Method::PATCH
            | Method::DELETE
            | Method::OPTIONS => method.as_str(),
            _ => "OTHER",
        };
        let route = route.filter(|r| !r.is_empty()).unwrap_or(UNMATCHED_ROUTE);
        self.http_requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// The registry in the text exposition format, pool gauges refreshed.
    pub fn render(&self, pool: &crate::db::DbPool, max: u32) -> Result<String, ApiError> {
        let state = pool.state();
        self.pool_connections
            .with_label_values(&["idle"])
            .set(i64::from(state.idle_connections));
        self.pool_connections
            .with_label_values(&["in_use"])
            .set(i64::from(
                state.connections.saturating_sub(state.idle_connections),
            ));
        self.pool_max.set(i64::from(max));
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|e| ApiError::Unexpected(anyhow::anyhow!("encoding metrics: {e}")))?;
        String::from_utf8(out)
            .map_err(|e| ApiError::Unexpected(anyhow::anyhow!("encoding metrics: {e}")))
    }
}

/// `GET /metrics` on the metrics listener (`METRICS_ADDR`).
pub async fn serve_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.replicas.refresh_gauges();
    let body = state
        .metrics
        .render(&state.pool, state.settings.db_pool_size)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}
