//! The storage layer: the connection pool, migrations, and every diesel query.
//!
//! Handlers never touch a connection directly: they call [`run`], which takes
//! a pooled connection on the blocking thread pool, so no query ever blocks
//! an actix worker.

pub mod admin;
pub mod blocks;
pub mod budget;
mod error;
pub mod events;
pub mod fanout;
pub mod follows;
pub mod models;
pub mod notifications;
pub mod replicas;
pub mod search;
pub mod sessions;
pub mod tweets;
pub mod users;
pub mod viewer;

use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::{
    connection::{InstrumentationEvent, SimpleConnection},
    pg::PgConnection,
    r2d2::{
        event::{CheckoutEvent, HandleEvent, TimeoutEvent},
        ConnectionManager, CustomizeConnection, Pool, PooledConnection,
    },
    sql_query, Connection, RunQueryDsl,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use prometheus::{Histogram, HistogramOpts, IntCounter};

pub use error::{Error, Result};
pub use replicas::{read, ReadError, Replicas};

pub type DbPool = Pool<Manager>;
pub type DbConn = PooledConnection<Manager>;

/// A pooled connection and when a request last finished with it.
pub struct Conn {
    conn: PgConnection,
    last_used: Instant,
    /// The connection's own statement timeout (set on acquiring it).
    statement_timeout: Duration,
    /// Set when the connection must not be handed out again.
    broken: bool,
}

/// diesel's connection manager, with one change: a connection handed back
/// less than [`FRESH`] ago is handed out again without the `SELECT 1` check.
/// Under load (a connection reused within microseconds) that check is a
/// round trip per request for nothing; a connection that sat idle — which
/// is when a database restart leaves it dead — is still checked first.
pub struct Manager {
    inner: ConnectionManager<PgConnection>,
}

/// How recently used a connection must be to skip the check on checkout.
pub const FRESH: Duration = Duration::from_millis(100);

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        Ok(Conn {
            conn: self.inner.connect()?,
            last_used: Instant::now(),
            statement_timeout: Duration::MAX,
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        if conn.last_used.elapsed() < FRESH {
            Ok(())
        } else {
            self.inner.is_valid(&mut conn.conn)
        }
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken || self.inner.has_broken(&mut conn.conn)
    }
}

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Key of the advisory lock held while migrating, so replicas can start together.
const MIGRATION_LOCK_KEY: i64 = 0x7477_6565_7473; // "tweets"

/// What the pool reports: statements run (`db_queries_total` — and how tests
/// prove a page costs a fixed number of queries whatever its size), how long
/// requests waited for a connection, and how often they gave up. Registered
/// on the application's registry by [`crate::metrics::Metrics`].
#[derive(Debug, Clone)]
pub struct PoolMetrics {
    pub queries: IntCounter,
    pub checkout_wait: Histogram,
    pub timeouts: IntCounter,
}

impl Default for PoolMetrics {
    fn default() -> Self {
        // Constant, valid names and buckets: these constructors cannot fail.
        #[allow(clippy::expect_used)]
        Self {
            queries: IntCounter::new("db_queries_total", "SQL statements sent to PostgreSQL")
                .expect("valid metric"),
            checkout_wait: Histogram::with_opts(
                HistogramOpts::new(
                    "db_pool_wait_seconds",
                    "Time requests waited for a pooled database connection",
                )
                .buckets(vec![0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0]),
            )
            .expect("valid metric"),
            timeouts: IntCounter::new(
                "db_pool_timeouts_total",
                "Requests that gave up waiting for a database connection",
            )
            .expect("valid metric"),
        }
    }
}

/// Set up on every new pooled connection: a statement timeout (a statement
/// stuck behind a lock or on a stalled server is cancelled, so no request
/// holds its connection — or its client — for longer), and the query counter.
#[derive(Debug)]
struct Customize {
    queries: IntCounter,
    statement_timeout: Duration,
}

impl CustomizeConnection<Conn, diesel::r2d2::Error> for Customize {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        conn.statement_timeout = self.statement_timeout;
        let conn = &mut conn.conn;
        conn.batch_execute(&timeouts_sql(
            self.statement_timeout,
            Some(self.statement_timeout.saturating_mul(2)),
        ))
        .map_err(diesel::r2d2::Error::QueryError)?;
        let counter = self.queries.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                counter.inc();
            }
        });
        Ok(())
    }
}

#[derive(Debug)]
struct PoolEvents(PoolMetrics);

impl HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: CheckoutEvent) {
        self.0.checkout_wait.observe(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, _event: TimeoutEvent) {
        self.0.timeouts.inc();
    }
}

/// A pool that connects lazily: the process starts even while the database
/// is down, and `/readyz` reports it.
///
/// A checkout is tested (`SELECT 1`) unless the connection was in use a
/// moment ago ([`Manager`]): after a database restart the pool still holds
/// connections to the old server, and handing one out would fail the
/// request; a dead connection is dropped and replaced.
pub fn build_pool(
    database_url: &str,
    size: u32,
    timeout: Duration,
    statement_timeout: Duration,
    metrics: PoolMetrics,
) -> DbPool {
    let manager = Manager {
        inner: ConnectionManager::<PgConnection>::new(database_url),
    };
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1.min(size)))
        .connection_timeout(timeout)
        .test_on_check_out(true)
        .connection_customizer(Box::new(Customize {
            queries: metrics.queries.clone(),
            statement_timeout,
        }))
        .event_handler(Box::new(PoolEvents(metrics)))
        .build_unchecked(manager)
}

/// Runs `f` with a pooled connection on the blocking thread pool. `f` may
/// fail with any error a store [`Error`] converts into (a handler's closure
/// mixing store calls with its own checks returns the HTTP layer's error).
pub async fn run<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<Error> + Send + 'static,
{
    run_within(pool, pool.connection_timeout(), f).await
}

/// [`run`], waiting at most `wait` for a connection (instead of the pool's
/// `DB_POOL_TIMEOUT`).
pub async fn run_within<T, E, F>(pool: &DbPool, wait: Duration, f: F) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<Error> + Send + 'static,
{
    let pool = pool.clone();
    // Within a request, what is left of its budget bounds the wait and,
    // when it is shorter than a statement may take, the statements too.
    let deadline = budget::deadline();
    let wait = match deadline {
        Some(deadline) => wait.min(deadline.saturating_duration_since(Instant::now())),
        None => wait,
    };
    // Lines logged on the blocking thread keep the request's span (its id).
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _entered = span.enter();
        if wait.is_zero() {
            tracing::warn!("the request's database time is spent");
            return Err(E::from(Error::Unavailable(
                "the database did not answer in time",
            )));
        }
        let mut conn = pool.get_timeout(wait).map_err(|e| {
            tracing::warn!(error = %e, "no database connection available");
            Error::Unavailable("the database is unavailable")
        })?;
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let result = match left {
            Some(left) if left < conn.statement_timeout => {
                shortened(&mut conn, left, f).map_err(E::from)?
            }
            _ => f(&mut conn.conn),
        };
        conn.last_used = Instant::now();
        result
    })
    .await
    .map_err(|e| E::from(Error::from(e)))?
}

/// Runs `f` with every statement's timeout cut to `left` (at least 1 ms),
/// then sets the connection's own back. A connection whose timeouts cannot
/// be restored is closed rather than handed out again with the short ones.
fn shortened<T, E>(
    conn: &mut DbConn,
    left: Duration,
    f: impl FnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<Result<T, E>> {
    let set =
        |conn: &mut Conn, timeout: Duration| conn.conn.batch_execute(&timeouts_sql(timeout, None));
    if set(conn, left).is_err() {
        conn.broken = true;
        return Err(Error::Unavailable("the database is unavailable"));
    }
    let result = f(&mut conn.conn);
    let normal = conn.statement_timeout;
    if set(conn, normal).is_err() {
        conn.broken = true;
    }
    Ok(result)
}

/// `SET` for the statement and lock timeouts (at least 1 ms: 0 would mean
/// none) and, given, the idle-in-transaction one.
fn timeouts_sql(timeout: Duration, idle_in_transaction: Option<Duration>) -> String {
    let ms = timeout.as_millis().max(1);
    let mut sql = format!("SET statement_timeout = {ms}; SET lock_timeout = {ms}");
    if let Some(idle) = idle_in_transaction {
        sql.push_str(&format!(
            "; SET idle_in_transaction_session_timeout = {}",
            idle.as_millis().max(1)
        ));
    }
    sql
}

/// Applies pending migrations under a PostgreSQL advisory lock and returns
/// the versions applied.
pub fn migrate(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
        .execute(conn)
        .context("taking the migration lock")?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>())
        .map_err(|e| anyhow::anyhow!("running migrations: {e}"));
    let unlock =
        sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(conn);
    let versions = result?;
    unlock.context("releasing the migration lock")?;
    Ok(versions)
}

/// The versions of the migrations this binary has that the database has
/// not applied yet.
pub fn pending_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    Ok(conn
        .pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("reading the applied migrations: {e}"))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

/// Connects, retrying with exponential backoff (0.5 s doubling to 8 s) until
/// `deadline` has passed: the database may still be starting.
pub fn connect_with_retry(database_url: &str, deadline: Duration) -> anyhow::Result<PgConnection> {
    let start = std::time::Instant::now();
    let mut delay = Duration::from_millis(500);
    let mut attempt = 1u32;
    loop {
        match PgConnection::establish(database_url) {
            Ok(conn) => return Ok(conn),
            Err(e) if start.elapsed() + delay < deadline => {
                tracing::warn!(attempt, error = %e, retry_in_ms = delay.as_millis() as u64, "database not reachable yet");
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(8));
                attempt += 1;
            }
            Err(e) => {
                return Err(anyhow::Error::new(e))
                    .with_context(|| format!("database not reachable after {attempt} attempts"))
            }
        }
    }
}

/// `SELECT 1` through the pool: what `/readyz` asks.
pub fn ping(conn: &mut PgConnection) -> Result<()> {
    sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

/// Deletes idempotency keys older than 24 hours; returns how many.
pub fn purge_idempotency_keys(conn: &mut PgConnection) -> Result<usize> {
    Ok(
        sql_query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'")
            .execute(conn)?,
    )
}
