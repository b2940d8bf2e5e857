//! Rate limiting with GCRA (the algorithm behind "leaky bucket as a meter"):
//! `per_minute` requests a minute per key, with bursts up to the same number.
//!
//! With `REDIS_URL` set, the state lives in Redis (one Lua script, atomic,
//! on Redis's clock), so every API replica counts against the same limit.
//! Without it, or while Redis does not answer, each process counts on its
//! own — the limit still holds per process and a Redis outage never turns
//! into errors for users.
//!
//! A circuit breaker keeps an outage cheap: once a call to Redis fails,
//! requests skip Redis (and count locally at full speed) for a back-off of
//! 1 s doubling to 30 s; when it runs out, one background `PING` probes
//! Redis — no request waits on it — and Redis is used again once it answers.
//! The state changes are logged once each and exported as
//! `ratelimit_redis_up`.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use prometheus::IntGauge;

use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

use crate::error::ApiError;

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// GCRA in Redis. Returns 0 when the request is allowed, else the
/// milliseconds to wait. KEYS[1]: the key; ARGV[1]: the emission interval
/// in ms; ARGV[2]: the burst.
const GCRA_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then return allow_at - now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now + 1000)
return 0
";

/// First and longest time Redis is skipped after a failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A Redis connection shared by the limiters of one process, made on first
/// use, behind a circuit breaker (see the module documentation).
pub struct RedisBackend {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
    script: redis::Script,
    /// Redis is skipped until this many milliseconds after `epoch` (0: in use).
    skip_until_ms: AtomicU64,
    /// The next back-off, doubling while Redis stays away.
    backoff_ms: AtomicU64,
    /// Whether the last call failed (for logging each change once).
    down: AtomicBool,
    /// A background probe is running.
    probing: AtomicBool,
    epoch: Instant,
    up: IntGauge,
}

impl RedisBackend {
    /// Parses the URL; connects lazily, so a Redis that is down at start
    /// does not keep the API from starting. `up` is the exported state.
    pub fn new(url: &str, up: IntGauge) -> Result<Self, redis::RedisError> {
        up.set(1);
        Ok(Self {
            client: redis::Client::open(url)?,
            connection: OnceCell::new(),
            script: redis::Script::new(GCRA_LUA),
            skip_until_ms: AtomicU64::new(0),
            backoff_ms: AtomicU64::new(FIRST_BACKOFF.as_millis() as u64),
            down: AtomicBool::new(false),
            probing: AtomicBool::new(false),
            epoch: Instant::now(),
            up,
        })
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Whether requests should skip Redis now.
    fn open(&self) -> bool {
        self.skip_until_ms.load(Ordering::Acquire) > self.now_ms()
    }

    /// Opens the breaker. Requests that were already waiting on Redis when
    /// it went away each fail in turn: only the first of them opens it, and
    /// only a failed probe lengthens the back-off.
    fn mark_down(&self, error: &redis::RedisError, from_probe: bool) {
        if !from_probe && self.down.load(Ordering::Acquire) {
            return;
        }
        let backoff = self.backoff_ms.load(Ordering::Acquire);
        self.skip_until_ms
            .store(self.now_ms() + backoff, Ordering::Release);
        if from_probe {
            self.backoff_ms.store(
                (backoff * 2).min(MAX_BACKOFF.as_millis() as u64),
                Ordering::Release,
            );
        }
        self.up.set(0);
        if !self.down.swap(true, Ordering::AcqRel) {
            tracing::warn!(error = %error, "Redis does not answer: rate limits are counted by each process until it does");
        }
    }

    fn mark_up(&self) {
        self.skip_until_ms.store(0, Ordering::Release);
        self.backoff_ms
            .store(FIRST_BACKOFF.as_millis() as u64, Ordering::Release);
        self.up.set(1);
        if self.down.swap(false, Ordering::AcqRel) {
            tracing::info!("Redis answers again: rate limits are shared through it");
        }
    }

    /// Once the back-off has run out, probes Redis in the background (one
    /// probe at a time); requests meanwhile count locally.
    fn probe_when_due(self: &Arc<Self>) {
        if self.open() || self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let backend = self.clone();
        actix_web::rt::spawn(async move {
            let answer = async {
                let mut conn = backend.connection().await?;
                redis::cmd("PING").query_async::<String>(&mut conn).await
            };
            match tokio::time::timeout(Duration::from_millis(500), answer).await {
                Ok(Ok(_)) => backend.mark_up(),
                Ok(Err(e)) => backend.mark_down(&e, true),
                Err(_) => backend.mark_down(
                    &redis::RedisError::from((
                        redis::ErrorKind::IoError,
                        "no answer within 500 ms",
                    )),
                    true,
                ),
            }
            backend.probing.store(false, Ordering::Release);
        });
    }

    /// Milliseconds to wait (0 when allowed), or `None` when Redis is not to
    /// be used now: the caller counts locally.
    async fn try_check(self: &Arc<Self>, key: &str, interval: Duration, burst: u32) -> Option<u64> {
        if self.down.load(Ordering::Acquire) {
            self.probe_when_due();
            return None;
        }
        match self.check(key, interval, burst).await {
            Ok(wait) => Some(wait),
            Err(e) => {
                self.mark_down(&e, false);
                None
            }
        }
    }

    async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        self.connection
            .get_or_try_init(|| {
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Duration::from_millis(500))
                    .set_response_timeout(Duration::from_millis(500))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
    }

    /// Milliseconds to wait, 0 when allowed.
    async fn check(&self, key: &str, interval: Duration, burst: u32) -> redis::RedisResult<u64> {
        let mut conn = self.connection().await?;
        self.script
            .key(key)
            .arg(interval.as_millis() as u64)
            .arg(burst)
            .invoke_async(&mut conn)
            .await
    }
}

/// The key client-address rate limits count under. Behind a trusted proxy
/// (`trust_forwarded_for`) that is the last `X-Forwarded-For` entry: the
/// address the nearest proxy saw. nginx replaces the header with that one
/// address; a load balancer appends it to whatever the client sent, so
/// earlier entries are the client's own claims.
pub fn client_key(req: &actix_web::HttpRequest, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            req.headers()
                .get_all(actix_web::http::header::X_FORWARDED_FOR)
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

pub struct RateLimiter {
    /// What the limit is called in Redis keys (`auth`, `posts`).
    name: &'static str,
    /// Time between two requests at the sustained rate; `None` when switched off.
    interval: Option<Duration>,
    burst: u32,
    /// Key → theoretical arrival time of the next request (this process's state).
    state: Mutex<HashMap<String, Instant>>,
    redis: Option<Arc<RedisBackend>>,
}

impl RateLimiter {
    /// `per_minute == 0` switches the limiter off.
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            name: "limit",
            interval: (per_minute > 0).then(|| Duration::from_secs(60) / per_minute),
            burst: per_minute.max(1),
            state: Mutex::new(HashMap::new()),
            redis: None,
        }
    }

    /// The same limit, counted in Redis under `name` when a backend is given.
    pub fn shared(name: &'static str, per_minute: u32, redis: Option<Arc<RedisBackend>>) -> Self {
        Self {
            name,
            redis,
            ..Self::per_minute(per_minute)
        }
    }

    /// Counts one request for `key`; a 429 with `Retry-After` when over the limit.
    pub async fn check(&self, key: &str) -> Result<(), ApiError> {
        let Some(interval) = self.interval else {
            return Ok(());
        };
        if let Some(redis) = &self.redis {
            let redis_key = format!("tweets:rl:{}:{key}", self.name);
            match redis.try_check(&redis_key, interval, self.burst).await {
                Some(0) => return Ok(()),
                Some(wait_ms) => {
                    return Err(ApiError::TooManyRequests {
                        retry_after_secs: wait_ms.div_ceil(1000).max(1),
                    })
                }
                None => {}
            }
        }
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), ApiError> {
        let Some(interval) = self.interval else {
            return Ok(());
        };
        let tolerance = interval * (self.burst - 1);
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.len() >= SWEEP_AT {
            state.retain(|_, tat| *tat > now);
        }
        let tat = state.get(key).copied().filter(|t| *t > now).unwrap_or(now);
        let allow_at = tat.checked_sub(tolerance).unwrap_or(now);
        if now < allow_at {
            let wait = allow_at - now;
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(ApiError::TooManyRequests {
                retry_after_secs: secs.max(1),
            });
        }
        state.insert(key.to_string(), tat + interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_refuses_until_the_rate_allows() {
        let limiter = RateLimiter::per_minute(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.check_at("a", t0).unwrap();
        }
        match limiter.check_at("a", t0) {
            Err(ApiError::TooManyRequests { retry_after_secs }) => assert_eq!(retry_after_secs, 20),
            other => panic!("expected 429, got {other:?}"),
        }
        // Other keys are independent.
        limiter.check_at("b", t0).unwrap();
        // 20 s later one more request is allowed, and only one.
        let t1 = t0 + Duration::from_secs(20);
        limiter.check_at("a", t1).unwrap();
        assert!(limiter.check_at("a", t1).is_err());
    }

    #[test]
    fn zero_switches_it_off() {
        let limiter = RateLimiter::per_minute(0);
        for _ in 0..1000 {
            limiter.check_at("a", Instant::now()).unwrap();
        }
    }
}
