//! Read replicas (`DATABASE_REPLICA_URLS`): where a read goes, and which
//! replicas are fit to take it.
//!
//! Reads that tolerate a replica (timelines, profiles, search, lists) call
//! [`read`]. It sends the read to the primary when:
//! - no replica is configured, or none is healthy;
//! - the reader wrote within the read-your-writes window
//!   (`REPLICA_MAX_LAG + REPLICA_CHECK_INTERVAL`: a replica in use was at most
//!   `REPLICA_MAX_LAG` behind at its last check, at most one interval ago, so
//!   after the window it holds the write);
//! - the replica attempt failed: no connection in [`REPLICA_WAIT`], a broken
//!   connection, a statement timeout, or an answer the replica may not have
//!   yet (a row not found, a session it has not replayed). A read is safe to
//!   run twice, and the request's database budget (`db::budget`) covers both.
//!
//! The window is kept per API process: behind a load balancer spreading one
//! user's requests over several API replicas, a timeline read right after
//! the user's post on another process may miss it for up to the lag, while
//! a new session or a new tweet read by id is still found (they fall back
//! to the primary).
//!
//! [`check`] runs every `REPLICA_CHECK_INTERVAL`: a replica is healthy when
//! it answers, is still in recovery (a promoted one would diverge from the
//! primary), and is at most `REPLICA_MAX_LAG` behind. Lag is 0 when it has
//! replayed the primary's WAL position read just before, else the time since
//! the last transaction it replayed (PostgreSQL's own measure); when the
//! primary cannot be asked, a replica that replayed all it received counts
//! as caught up.

use std::{
    cell::Cell,
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use diesel::{
    pg::PgConnection,
    sql_query,
    sql_types::{Bool, Double, Nullable, Text},
    QueryableByName, RunQueryDsl,
};
use prometheus::{
    Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
};

use super::{build_pool, run_within, DbPool, Error, PoolMetrics};
use crate::domain::UserId;

/// How long a read waits for a replica's connection before it goes to the
/// primary instead (never longer than `DB_POOL_TIMEOUT`): a busy or dead
/// replica costs a read this much at most.
pub const REPLICA_WAIT: Duration = Duration::from_millis(500);

/// Errors a read may answer that the primary could answer differently.
pub trait ReadError: From<Error> + Send + 'static {
    fn retry_on_primary(&self) -> bool;
}

impl ReadError for Error {
    fn retry_on_primary(&self) -> bool {
        matches!(self, Error::NotFound(_) | Error::Unavailable(_))
    }
}

thread_local! {
    static ON_REPLICA: Cell<bool> = const { Cell::new(false) };
}

/// Whether the code running on this (blocking) thread reads a replica: a
/// session the replica does not know may be one it has not replayed yet,
/// so it is asked again on the primary rather than refused.
pub fn on_replica() -> bool {
    ON_REPLICA.with(Cell::get)
}

/// Marks this thread as reading a replica until dropped (a panic included:
/// the blocking thread goes on to serve other work).
struct OnReplica;

impl OnReplica {
    fn enter() -> Self {
        ON_REPLICA.with(|c| c.set(true));
        OnReplica
    }
}

impl Drop for OnReplica {
    fn drop(&mut self) {
        ON_REPLICA.with(|c| c.set(false));
    }
}

/// The answer of a replica that may be behind: asked again on the primary.
pub const NOT_ON_REPLICA: &str = "not on the replica yet";

struct Member {
    /// `host:port/database`, the `replica` label: no user, no password.
    name: String,
    pool: DbPool,
    healthy: AtomicBool,
    up: IntGauge,
    lag: Gauge,
}

/// The replicas, their health, and who wrote a moment ago.
pub struct Replicas {
    members: Vec<Member>,
    next: AtomicUsize,
    max_lag: Duration,
    window: Duration,
    recent: Mutex<HashMap<UserId, Instant>>,
    metrics: ReplicaMetrics,
}

/// What the routing and the checks report; registered with the others
/// (`crate::metrics`).
#[derive(Debug, Clone)]
pub struct ReplicaMetrics {
    pub up: IntGaugeVec,
    pub lag: GaugeVec,
    pub reads: IntCounterVec,
    pub queries: IntCounterVec,
    pub wait: HistogramVec,
    pub timeouts: IntCounterVec,
    pub connections: IntGaugeVec,
}

impl Default for ReplicaMetrics {
    fn default() -> Self {
        // Constant, valid names and labels: these constructors cannot fail.
        #[allow(clippy::expect_used)]
        Self {
            up: IntGaugeVec::new(
                Opts::new(
                    "db_replica_up",
                    "1 while a read replica takes reads (answers, in recovery, within REPLICA_MAX_LAG)",
                ),
                &["replica"],
            )
            .expect("valid metric"),
            lag: GaugeVec::new(
                Opts::new(
                    "db_replica_lag_seconds",
                    "How far a read replica is behind the primary, at its last check (-1: unknown)",
                ),
                &["replica"],
            )
            .expect("valid metric"),
            reads: IntCounterVec::new(
                Opts::new(
                    "db_reads_total",
                    "Replica-capable reads, by the pool that answered and why it was chosen",
                ),
                &["pool", "reason"],
            )
            .expect("valid metric"),
            queries: IntCounterVec::new(
                Opts::new(
                    "db_replica_queries_total",
                    "SQL statements sent to a read replica",
                ),
                &["replica"],
            )
            .expect("valid metric"),
            wait: HistogramVec::new(
                HistogramOpts::new(
                    "db_replica_pool_wait_seconds",
                    "Time reads waited for a read replica's pooled connection",
                )
                .buckets(vec![0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0]),
                &["replica"],
            )
            .expect("valid metric"),
            timeouts: IntCounterVec::new(
                Opts::new(
                    "db_replica_pool_timeouts_total",
                    "Reads that gave up waiting for a read replica's connection",
                ),
                &["replica"],
            )
            .expect("valid metric"),
            connections: IntGaugeVec::new(
                Opts::new(
                    "db_replica_pool_connections",
                    "Connections in a read replica's pool, by state (in_use, idle)",
                ),
                &["replica", "state"],
            )
            .expect("valid metric"),
        }
    }
}

/// Why a read went where it went (`db_reads_total`'s `reason`).
#[derive(Debug, Clone, Copy)]
enum Reason {
    Replica,
    ReadYourWrites,
    NoHealthyReplica,
    ReplicaFailed,
}

impl Reason {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            Reason::Replica => ("replica", "replica"),
            Reason::ReadYourWrites => ("primary", "read_your_writes"),
            Reason::NoHealthyReplica => ("primary", "no_healthy_replica"),
            Reason::ReplicaFailed => ("primary", "replica_failed"),
        }
    }
}

/// `host:port/database` of a URL (no credentials, no parameters).
fn label_of(url: &str, index: usize) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}:{}{}",
            u.host_str().unwrap_or("localhost"),
            u.port().unwrap_or(5432),
            u.path()
        ),
        Err(_) => format!("replica-{}", index + 1),
    }
}

impl Replicas {
    /// One pool per URL, each of `size` connections (opened lazily, so a
    /// replica that is down at start costs nothing but its checks).
    pub fn new(
        urls: &[String],
        size: u32,
        statement_timeout: Duration,
        max_lag: Duration,
        interval: Duration,
        metrics: ReplicaMetrics,
    ) -> Self {
        let members = urls
            .iter()
            .enumerate()
            .map(|(i, url)| {
                let name = label_of(url, i);
                let pool_metrics = PoolMetrics {
                    queries: metrics.queries.with_label_values(&[&name]),
                    checkout_wait: metrics.wait.with_label_values(&[&name]),
                    timeouts: metrics.timeouts.with_label_values(&[&name]),
                };
                let up = metrics.up.with_label_values(&[&name]);
                let lag = metrics.lag.with_label_values(&[&name]);
                lag.set(-1.0);
                Member {
                    pool: build_pool(url, size, REPLICA_WAIT, statement_timeout, pool_metrics),
                    name,
                    healthy: AtomicBool::new(false),
                    up,
                    lag,
                }
            })
            .collect();
        if !urls.is_empty() {
            for reason in [
                Reason::Replica,
                Reason::ReadYourWrites,
                Reason::NoHealthyReplica,
                Reason::ReplicaFailed,
            ] {
                let (pool, why) = reason.label();
                metrics.reads.with_label_values(&[pool, why]).inc_by(0);
            }
        }
        Self {
            members,
            next: AtomicUsize::new(0),
            max_lag,
            window: max_lag + interval,
            recent: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn metrics(&self) -> &ReplicaMetrics {
        &self.metrics
    }

    /// `user` has just written: their reads stay on the primary for the window.
    pub fn wrote(&self, user: UserId) {
        if self.members.is_empty() {
            return;
        }
        if let Ok(mut recent) = self.recent.lock() {
            recent.insert(user, Instant::now());
        }
    }

    fn wrote_recently(&self, user: UserId) -> bool {
        self.recent
            .lock()
            .ok()
            .and_then(|recent| recent.get(&user).copied())
            .is_some_and(|at| at.elapsed() < self.window)
    }

    /// The next healthy replica, round robin.
    fn pick(&self) -> Option<&Member> {
        let n = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.members[(start + i) % n])
            .find(|m| m.healthy.load(Ordering::Relaxed))
    }

    fn count(&self, reason: Reason) {
        let (pool, why) = reason.label();
        self.metrics.reads.with_label_values(&[pool, why]).inc();
    }

    /// Refreshes the pool gauges (before `/metrics` renders).
    pub fn refresh_gauges(&self) {
        for m in &self.members {
            let state = m.pool.state();
            self.metrics
                .connections
                .with_label_values(&[&m.name, "idle"])
                .set(i64::from(state.idle_connections));
            self.metrics
                .connections
                .with_label_values(&[&m.name, "in_use"])
                .set(i64::from(
                    state.connections.saturating_sub(state.idle_connections),
                ));
        }
    }

    fn set_health(&self, m: &Member, healthy: bool, lag: Option<f64>) {
        let was = m.healthy.swap(healthy, Ordering::Relaxed);
        m.up.set(i64::from(healthy));
        m.lag.set(lag.unwrap_or(-1.0));
        if was != healthy {
            if healthy {
                tracing::info!(replica = %m.name, lag_s = lag.unwrap_or(-1.0), "read replica is back in use");
            } else {
                tracing::warn!(replica = %m.name, lag_s = lag.unwrap_or(-1.0), "read replica taken out");
            }
        }
    }

    /// Checks every replica once (blocking: run it off the async workers).
    pub fn check(&self, primary: &DbPool) {
        if let Ok(mut recent) = self.recent.lock() {
            recent.retain(|_, at| at.elapsed() < self.window);
        }
        let primary_lsn = primary_lsn(primary);
        for m in &self.members {
            match replica_state(&m.pool, primary_lsn.as_deref()) {
                Ok(state) if !state.in_recovery => {
                    if m.healthy.load(Ordering::Relaxed) {
                        tracing::warn!(replica = %m.name, "read replica is not in recovery (promoted?)");
                    }
                    self.set_health(m, false, None);
                }
                Ok(state) => {
                    let lag = if state.caught_up.unwrap_or(false) {
                        Some(0.0)
                    } else {
                        state.since_replay.map(|s| s.max(0.0))
                    };
                    let fit = lag.is_some_and(|l| l <= self.max_lag.as_secs_f64());
                    self.set_health(m, fit, lag);
                }
                Err(e) => {
                    if m.healthy.load(Ordering::Relaxed) {
                        tracing::warn!(replica = %m.name, error = %e, "read replica does not answer");
                    }
                    self.set_health(m, false, None);
                }
            }
        }
    }
}

#[derive(QueryableByName)]
struct Lsn {
    #[diesel(sql_type = Nullable<Text>)]
    lsn: Option<String>,
}

/// The primary's current WAL position, if it answers (and is a primary).
fn primary_lsn(primary: &DbPool) -> Option<String> {
    let mut conn = primary.get_timeout(REPLICA_WAIT).ok()?;
    sql_query(
        "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS lsn",
    )
    .get_result::<Lsn>(&mut conn.conn)
    .ok()
    .and_then(|l| l.lsn)
}

#[derive(QueryableByName)]
struct ReplicaState {
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
    #[diesel(sql_type = Nullable<Bool>)]
    caught_up: Option<bool>,
    #[diesel(sql_type = Nullable<Double>)]
    since_replay: Option<f64>,
}

fn replica_state(pool: &DbPool, primary_lsn: Option<&str>) -> Result<ReplicaState, Error> {
    let mut conn = pool
        .get_timeout(REPLICA_WAIT)
        .map_err(|_| Error::Unavailable("the replica is unavailable"))?;
    let state = sql_query(
        "SELECT pg_is_in_recovery() AS in_recovery, \
           CASE WHEN $1::text IS NOT NULL THEN pg_last_wal_replay_lsn() >= $1::pg_lsn \
                ELSE pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() END AS caught_up, \
           EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS since_replay",
    )
    .bind::<Nullable<Text>, _>(primary_lsn)
    .get_result::<ReplicaState>(&mut conn.conn)?;
    conn.last_used = Instant::now();
    Ok(state)
}

/// The account a request's token names, put in the request's extensions
/// by the token extractors (`crate::auth`).
#[derive(Debug, Clone, Copy)]
pub struct Requester(pub UserId);

/// Middleware: a request that may write (any method but GET, HEAD and
/// OPTIONS) made with a token keeps its user's reads on the primary for
/// the read-your-writes window, whatever it answered (an unknown outcome
/// is treated as a write).
pub async fn remember_writers(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::{http::Method, HttpMessage};
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let state = writes
        .then(|| req.app_data::<actix_web::web::Data<crate::state::AppState>>())
        .flatten()
        .filter(|s| !s.replicas.is_empty())
        .cloned();
    let res = next.call(req).await?;
    if let Some(state) = state {
        if let Some(Requester(user)) = res.request().extensions().get::<Requester>().copied() {
            state.replicas.wrote(user);
        }
    }
    Ok(res)
}

/// Runs [`Replicas::check`] every `interval` until the task is dropped.
pub async fn run_checks(replicas: Arc<Replicas>, primary: DbPool, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let (r, p) = (replicas.clone(), primary.clone());
        if actix_web::web::block(move || r.check(&p)).await.is_err() {
            tracing::warn!("the replica check could not run");
        }
    }
}

/// A read that a replica may answer (see the module's documentation):
/// `reader` is who reads, when known, for read-your-writes. `f` may run
/// twice, on a replica and then on the primary.
pub async fn read<T, E, F>(
    primary: &DbPool,
    replicas: &Replicas,
    reader: Option<UserId>,
    f: F,
) -> Result<T, E>
where
    F: Fn(&mut PgConnection) -> Result<T, E> + Clone + Send + 'static,
    T: Send + 'static,
    E: ReadError,
{
    if replicas.members.is_empty() {
        return super::run(primary, f).await;
    }
    if reader.is_some_and(|u| replicas.wrote_recently(u)) {
        replicas.count(Reason::ReadYourWrites);
        return super::run(primary, f).await;
    }
    let Some(member) = replicas.pick() else {
        replicas.count(Reason::NoHealthyReplica);
        return super::run(primary, f).await;
    };
    let reached = Arc::new(AtomicBool::new(false));
    let attempt = {
        let (f, reached) = (f.clone(), reached.clone());
        move |conn: &mut PgConnection| {
            reached.store(true, Ordering::Relaxed);
            let _on = OnReplica::enter();
            f(conn)
        }
    };
    let wait = REPLICA_WAIT.min(primary.connection_timeout());
    match run_within(&member.pool, wait, attempt).await {
        Ok(answer) => {
            replicas.count(Reason::Replica);
            Ok(answer)
        }
        Err(e) if e.retry_on_primary() => {
            if !reached.load(Ordering::Relaxed) {
                // No connection: out until a check finds it well again.
                replicas.set_health(member, false, None);
            }
            replicas.count(Reason::ReplicaFailed);
            super::run(primary, f).await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_carry_no_credentials() {
        assert_eq!(
            label_of(
                "postgres://app:hunter2@r1.internal:5433/tweets?sslmode=require",
                0
            ),
            "r1.internal:5433/tweets"
        );
        assert_eq!(label_of("postgres://r2/tweets", 1), "r2:5432/tweets");
        assert_eq!(label_of("not a url", 2), "replica-3");
    }

    #[test]
    fn the_window_covers_the_lag_and_one_check() {
        let r = Replicas::new(
            &["postgres://127.0.0.1:1/x".into()],
            1,
            Duration::from_secs(1),
            Duration::from_millis(300),
            Duration::from_millis(100),
            ReplicaMetrics::default(),
        );
        assert_eq!(r.window, Duration::from_millis(400));
        let user = UserId::new(7).unwrap_or_else(|| unreachable!());
        assert!(!r.wrote_recently(user));
        r.wrote(user);
        assert!(r.wrote_recently(user));
        // No healthy replica until a check has found one.
        assert!(r.pick().is_none());
    }
}
