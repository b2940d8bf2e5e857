//! In-process rate limiting (GCRA, the algorithm behind "leaky bucket as a
//! meter"): `per_minute` requests a minute per key, with bursts up to the same
//! number. State lives in this process; with several API replicas each keeps
//! its own, and nginx's `limit_req` is the shared first line.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::error::ApiError;

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

pub struct RateLimiter {
    /// Time between two requests at the sustained rate; `None` when switched off.
    interval: Option<Duration>,
    burst: u32,
    /// Key → theoretical arrival time of the next request.
    state: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    /// `per_minute == 0` switches the limiter off.
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            interval: (per_minute > 0).then(|| Duration::from_secs(60) / per_minute),
            burst: per_minute.max(1),
            state: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request for `key`; a 429 with `Retry-After` when over the limit.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
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
            limiter.check("a").unwrap();
        }
    }
}
