//! Live events across API processes: PostgreSQL `LISTEN tweets_events`.
//!
//! Triggers (migration `social`) send one `NOTIFY` per statement naming
//! the accounts it concerns; every API process listens on a connection of
//! its own and passes each event to its open streams through a [`Hub`]
//! (a broadcast channel). A stream that hears about its account reads what
//! is new from the database itself, so an event carries no data that could
//! go stale or be lost: a missed or dropped event (a lagging stream, a
//! reconnect of the listener) only means "look again", which [`Who::All`]
//! asks of every stream.
//!
//! diesel's connection exposes received notifications but not its socket,
//! so the listener checks for them every [`POLL`] (a non-blocking read on
//! the blocking pool, no query), and runs `SELECT 1` every [`PING`] to find
//! a connection that died silently.

use std::{collections::HashSet, sync::Arc, time::Duration};

use diesel::{sql_query, Connection, PgConnection, RunQueryDsl};
use tokio::sync::broadcast;

use crate::domain::UserId;

/// How often the listener looks for notifications.
pub const POLL: Duration = Duration::from_millis(100);
/// How often the listener checks its connection.
pub const PING: Duration = Duration::from_secs(30);
/// Events a slow stream may fall behind before it is told to look again.
const CAPACITY: usize = 1024;

/// The accounts an event concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// Too many to list (a bulk load), or unknown (the listener reconnected).
    All,
    Some(Arc<[UserId]>),
}

impl Who {
    pub fn includes(&self, id: UserId) -> bool {
        match self {
            Who::All => true,
            Who::Some(ids) => ids.contains(&id),
        }
    }

    pub fn any_in(&self, set: &HashSet<UserId>) -> bool {
        match self {
            Who::All => true,
            Who::Some(ids) => ids.iter().any(|id| set.contains(id)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// New notifications for these recipients.
    Notifications(Who),
    /// New tweets or reposts by these authors.
    Tweets(Who),
    /// The follows of these followers changed.
    Follows(Who),
}

impl Event {
    /// `n 1 2 3`, `t *`, `f 4` (see the migration); None for anything else.
    pub fn parse(payload: &str) -> Option<Self> {
        let (kind, rest) = payload.split_once(' ')?;
        let who = if rest == "*" {
            Who::All
        } else {
            let ids: Option<Vec<UserId>> = rest
                .split(' ')
                .map(|id| id.parse::<i64>().ok().and_then(UserId::new))
                .collect();
            Who::Some(ids?.into())
        };
        match kind {
            "n" => Some(Event::Notifications(who)),
            "t" => Some(Event::Tweets(who)),
            "f" => Some(Event::Follows(who)),
            _ => None,
        }
    }
}

/// This process's side of the live events: streams subscribe, the
/// listener publishes.
#[derive(Debug, Clone)]
pub struct Hub {
    tx: broadcast::Sender<Event>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    /// Sends to every open stream (none open: nothing to do).
    pub fn publish(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    /// Every stream looks again: what happened while nobody listened.
    fn publish_all(&self) {
        for event in [
            Event::Notifications(Who::All),
            Event::Tweets(Who::All),
            Event::Follows(Who::All),
        ] {
            self.publish(event);
        }
    }
}

fn listen(database_url: &str) -> anyhow::Result<PgConnection> {
    let mut conn = PgConnection::establish(database_url)?;
    sql_query("LISTEN tweets_events").execute(&mut conn)?;
    Ok(conn)
}

/// What one look at the connection found; `Err` when it is gone.
fn receive(conn: &mut PgConnection, ping: bool) -> anyhow::Result<Vec<String>> {
    if ping {
        sql_query("SELECT 1").execute(conn)?;
    }
    let mut payloads = Vec::new();
    for notification in conn.notifications_iter() {
        payloads.push(notification?.payload);
    }
    Ok(payloads)
}

/// Listens until the task is dropped, reconnecting (1 s doubling to 30 s)
/// whenever the connection fails; after every (re)connect every stream
/// looks again.
pub async fn run_listener(database_url: String, hub: Hub) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let url = database_url.clone();
        let mut conn = match actix_web::web::block(move || listen(&url)).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, retry_in_s = backoff.as_secs(), "event listener cannot connect");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "event listener task failed");
                return;
            }
        };
        backoff = Duration::from_secs(1);
        tracing::info!("listening for live events");
        hub.publish_all();
        let mut last_ping = std::time::Instant::now();
        loop {
            let ping = last_ping.elapsed() >= PING;
            if ping {
                last_ping = std::time::Instant::now();
            }
            let looked = actix_web::web::block(move || {
                let found = receive(&mut conn, ping);
                (conn, found)
            })
            .await;
            match looked {
                Ok((back, Ok(payloads))) => {
                    conn = back;
                    for payload in payloads {
                        match Event::parse(&payload) {
                            Some(event) => hub.publish(event),
                            None => tracing::warn!(%payload, "unknown live event"),
                        }
                    }
                }
                Ok((_, Err(e))) => {
                    tracing::warn!(error = %e, "event listener lost its connection");
                    break;
                }
                Err(e) => {
                    tracing::error!(error = %e, "event listener task failed");
                    return;
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(raw: &[i64]) -> Who {
        Who::Some(raw.iter().filter_map(|id| UserId::new(*id)).collect())
    }

    #[test]
    fn payloads_name_their_accounts() {
        assert_eq!(
            Event::parse("n 1 22 3"),
            Some(Event::Notifications(ids(&[1, 22, 3])))
        );
        assert_eq!(Event::parse("t *"), Some(Event::Tweets(Who::All)));
        assert_eq!(Event::parse("f 4"), Some(Event::Follows(ids(&[4]))));
        for bad in ["", "n", "n ", "x 1", "n 1 a", "n 0", "n -1", "t 1  2"] {
            assert_eq!(Event::parse(bad), None, "{bad:?}");
        }
        let who = ids(&[5, 6]);
        assert!(who.includes(UserId::new(6).unwrap()));
        assert!(!who.includes(UserId::new(7).unwrap()));
        let set: HashSet<UserId> = [UserId::new(7).unwrap()].into();
        assert!(!who.any_in(&set));
        assert!(Who::All.any_in(&set));
    }
}
