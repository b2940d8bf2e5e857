//! A request's database time budget: `DB_POOL_TIMEOUT + DB_STATEMENT_TIMEOUT`
//! for the whole request, however many times it hands work to the pool.
//!
//! Each hand-off ([`super::run`]) waits at most `DB_POOL_TIMEOUT` for a
//! connection and each statement runs at most `DB_STATEMENT_TIMEOUT`, but a
//! request that confirms its session in one hand-off and reads in a second
//! could take both bounds twice while the pool runs dry (a held lock: two
//! pool waits and a cancelled statement, 2 + 2 + 1 s in `make faults`). The
//! documented promise is for the request, not the hand-off: the clock starts
//! at the request's first hand-off (reading an upload does not count), every
//! later one waits only for what is left, and when less is left than a
//! statement may take, the statements of that hand-off get the remainder as
//! their timeout.
//!
//! The budget lives in a task-local set by [`middleware`] around the
//! handler; work outside a request (the fan-out worker, the command line, a
//! streamed body polled after the handler returned) has none and keeps the
//! plain per-hand-off bounds.

use std::{
    cell::Cell,
    time::{Duration, Instant},
};

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};

use crate::state::AppState;

tokio::task_local! {
    static BUDGET: Budget;
}

/// One request's budget.
#[derive(Debug)]
pub struct Budget {
    total: Duration,
    started: Cell<Option<Instant>>,
}

impl Budget {
    pub fn new(total: Duration) -> Self {
        Self {
            total,
            started: Cell::new(None),
        }
    }
}

/// When the running request's database time runs out, starting its clock
/// if this is its first hand-off; `None` outside a request.
pub(super) fn deadline() -> Option<Instant> {
    BUDGET
        .try_with(|b| {
            let started = b.started.get().unwrap_or_else(|| {
                let now = Instant::now();
                b.started.set(Some(now));
                now
            });
            started + b.total
        })
        .ok()
}

/// Runs `fut` (a request) under a budget of `total`.
pub async fn scope<F: std::future::Future>(total: Duration, fut: F) -> F::Output {
    BUDGET.scope(Budget::new(total), fut).await
}

/// Middleware: every request runs under `DB_POOL_TIMEOUT + DB_STATEMENT_TIMEOUT`.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let total = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.db_pool_timeout + s.settings.db_statement_timeout);
    match total {
        Some(total) => scope(total, next.call(req)).await,
        None => next.call(req).await,
    }
}
