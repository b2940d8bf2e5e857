//! The application's state: every service a handler may use, built once
//! from the settings (`AppState::build`). The HTTP server (`startup`) and
//! the handlers (`routes`) depend on this module; it depends on neither.

use std::sync::Arc;

use actix_web::HttpRequest;

use crate::{
    auth::{JwtKeys, PasswordHasher},
    config::MediaStoreKind,
    config::Settings,
    db::{replicas::ReplicaMetrics, DbPool, PoolMetrics, ReadError, Replicas},
    domain::UserId,
    error::ApiError,
    media::{s3::S3MediaStore, LocalMediaStore, Media},
    metrics::Metrics,
    ratelimit::{self, RateLimiter, RedisBackend},
};

/// Everything a handler may need, built once at startup.
pub struct AppState {
    pub pool: DbPool,
    pub jwt: JwtKeys,
    pub settings: Arc<Settings>,
    pub passwords: PasswordHasher,
    pub auth_limiter: RateLimiter,
    pub post_limiter: RateLimiter,
    /// Uploaded images.
    pub media: Media,
    pub metrics: Arc<Metrics>,
    /// What the home-timeline fan-out worker reports (in `metrics` too).
    pub fanout: crate::db::fanout::FanoutMetrics,
    /// Live events for the streaming endpoints (`db::events`).
    pub events: crate::db::events::Hub,
    /// Read replicas (`DATABASE_REPLICA_URLS`), possibly none.
    pub replicas: Arc<Replicas>,
}

impl AppState {
    /// Builds every service from the settings, on `pool`.
    pub fn build(
        settings: Arc<Settings>,
        pool: DbPool,
        pool_metrics: &PoolMetrics,
    ) -> Result<Self, ApiError> {
        let fanout = crate::db::fanout::FanoutMetrics::default();
        let replicas = Replicas::new(
            &settings.database_replica_urls,
            settings.db_pool_size,
            settings.db_statement_timeout,
            settings.replica_max_lag,
            settings.replica_check_interval,
            ReplicaMetrics::default(),
        );
        let metrics = Metrics::new(pool_metrics, &fanout, replicas.metrics())
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
            fanout,
            events: crate::db::events::Hub::default(),
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
            media: Media::new(match &settings.media_store {
                MediaStoreKind::Local => {
                    Arc::new(LocalMediaStore::new(settings.media_root.clone()))
                }
                MediaStoreKind::S3(s3) => Arc::new(S3MediaStore::new(s3)?),
            }),
            replicas: Arc::new(replicas),
            pool,
            settings,
        })
    }

    /// A read a replica may answer (`db::replicas`): `reader` is who reads,
    /// for read-your-writes. `f` may run twice (replica, then primary).
    pub async fn read<T, E, F>(&self, reader: Option<UserId>, f: F) -> Result<T, E>
    where
        F: Fn(&mut diesel::PgConnection) -> Result<T, E> + Clone + Send + 'static,
        T: Send + 'static,
        E: ReadError,
    {
        crate::db::read(&self.pool, &self.replicas, reader, f).await
    }

    /// The key this request's client-address limits count under.
    pub fn client_key(&self, req: &HttpRequest) -> String {
        ratelimit::client_key(req, self.settings.trust_forwarded_for)
    }
}
