//! `/streaming/…`: Server-Sent Events (`text/event-stream`) of my new
//! notifications and my home timeline's new tweets, pushed as they happen
//! in any API process (`db::events`).
//!
//! Each event has an `id:` (a notification id, a home-timeline position);
//! a client that reconnects with `Last-Event-ID` gets what it missed first
//! (at most [`REPLAY`] items, the newest). A comment line every
//! [`KEEP_ALIVE`] keeps proxies from closing an idle stream, and the
//! session is checked then too: a stream ends when its session does.
//!
//! Ids are handed out when a row is inserted, not when it commits, so a
//! row may become visible after one with a larger id. A stream therefore
//! never moves a "last id" past what it sent: each look reads the newest
//! items above where the stream started and sends those it has not sent
//! yet (it remembers the last [`REMEMBERED`] it sent). The late row's own
//! commit wakes the stream (its NOTIFY is sent at commit), so it arrives.

use std::{collections::HashSet, convert::Infallible, time::Duration};

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use bytes::Bytes;
use serde::Serialize;
use tokio::sync::{broadcast::error::RecvError, mpsc};

use super::views::{AuthorView, TweetView};
use crate::{
    auth::AuthUser,
    db::{
        self,
        events::{Event, Who},
        follows, notifications, sessions, tweets,
    },
    domain::{TweetId, UserId},
    error::ApiError,
    state::AppState,
};

/// How often an idle stream sends a comment (and checks its session): well
/// inside a proxy's read timeout (nginx's is 30 s, and 1 h for streams).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Most items sent when a stream catches up.
pub const REPLAY: i64 = 100;
/// How many sent ids a stream remembers (well above [`REPLAY`]).
const REMEMBERED: usize = 1000;

/// The ids a stream has sent, the newest [`REMEMBERED`] of them.
#[derive(Debug, Default)]
struct Sent(std::collections::BTreeSet<i64>);

impl Sent {
    /// Whether `id` is new (and now remembered).
    fn first_time(&mut self, id: i64) -> bool {
        let new = self.0.insert(id);
        while self.0.len() > REMEMBERED {
            self.0.pop_first();
        }
        // An id below everything remembered was sent long ago or is older
        // than what a look reads: never resend it.
        new && self.0.first().map_or(true, |oldest| id >= *oldest)
    }
}

/// `Last-Event-ID`: a non-negative integer, or absent.
fn last_event_id(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("Last-Event-ID must be a non-negative integer".into()))
}

/// One SSE event: `id`, `event` and one line of JSON.
fn frame(id: i64, event: &str, data: &impl Serialize) -> Option<Bytes> {
    let json = serde_json::to_string(data).ok()?;
    Some(Bytes::from(format!(
        "id: {id}\nevent: {event}\ndata: {json}\n\n"
    )))
}

/// The response: the stream's frames as they come; `X-Accel-Buffering: no`
/// tells nginx not to hold them back.
fn event_stream(rx: mpsc::Receiver<Bytes>) -> HttpResponse {
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

/// What a stream looks up when its account is concerned.
trait Source: Send + 'static {
    /// Sends what came after `since` that was not sent yet; false when the
    /// client has gone.
    fn catch_up(
        &mut self,
        state: &AppState,
        tx: &mpsc::Sender<Bytes>,
        since: i64,
    ) -> impl std::future::Future<Output = Result<bool, ApiError>>;

    /// Whether `event` may concern this stream (false positives only cost a
    /// query).
    fn concerned(&self, event: &Event) -> bool;

    /// Called for an event about follows of the account.
    fn refresh(
        &mut self,
        _state: &AppState,
    ) -> impl std::future::Future<Output = Result<(), ApiError>> {
        async { Ok(()) }
    }
}

/// Runs a stream until the client goes, the session ends or the server
/// stops.
async fn run<S: Source>(
    state: web::Data<AppState>,
    me: AuthUser,
    mut source: S,
    since: i64,
    replay: bool,
) -> HttpResponse {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    // Subscribed before the first look: nothing happens unseen in between.
    let mut events = state.events.subscribe();
    actix_web::rt::spawn(async move {
        if replay {
            match source.catch_up(&state, &tx, since).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(error = %e, "stream could not catch up"),
            }
        }
        let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
        keep_alive.tick().await;
        loop {
            let look = tokio::select! {
                received = events.recv() => match received {
                    Ok(Event::Follows(who)) if who.includes(me.id) => {
                        if let Err(e) = source.refresh(&state).await {
                            tracing::warn!(error = %e, "stream could not refresh its follows");
                        }
                        true
                    }
                    Ok(event) => source.concerned(&event),
                    // Fell behind: whatever was missed may concern it.
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return,
                },
                _ = keep_alive.tick() => {
                    // The comment first: a slow check never delays it.
                    if tx.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                        return;
                    }
                    let open = db::run(&state.pool, move |conn| {
                        sessions::is_open(conn, me.session_id, me.id)
                    })
                    .await;
                    if matches!(open, Ok(false)) {
                        return;
                    }
                    false
                }
            };
            if look {
                match source.catch_up(&state, &tx, since).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(error = %e, "stream could not read what is new"),
                }
            }
        }
    });
    event_stream(rx)
}

/// A notification as a stream sends it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 813, "kind": "like", "actor": {"id": 2, "username": "ana", "display_name": "Ana",
    "avatar_url": null}, "tweet_id": 42, "created_at": "2026-11-25T18:00:00.000000Z", "unread_count": 3}))]
pub struct NotificationEvent {
    /// The notification's id (also the event's `id:`).
    id: i64,
    #[schema(value_type = crate::routes::views::NotificationKind)]
    kind: String,
    actor: AuthorView,
    #[schema(value_type = Option<i64>, required = true)]
    tweet_id: Option<TweetId>,
    #[serde(serialize_with = "crate::routes::views::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: chrono::DateTime<chrono::Utc>,
    /// My unread notification groups, this one included.
    unread_count: i64,
}

struct Notifications {
    me: UserId,
    sent: Sent,
}

impl Source for Notifications {
    async fn catch_up(
        &mut self,
        state: &AppState,
        tx: &mpsc::Sender<Bytes>,
        since: i64,
    ) -> Result<bool, ApiError> {
        let me = self.me;
        let (found, unread) = db::run(&state.pool, move |conn| {
            let found = notifications::events_after(conn, me, since, REPLAY)?;
            let unread = if found.is_empty() {
                0
            } else {
                notifications::unread_count(conn, me)?
            };
            Ok::<_, db::Error>((found, unread))
        })
        .await?;
        for n in found {
            let id = n.id;
            if !self.sent.first_time(id) {
                continue;
            }
            let event = NotificationEvent {
                id,
                kind: n.kind,
                actor: AuthorView::new(n.actor, &state.settings.media_url),
                tweet_id: n.tweet_id,
                created_at: n.created_at,
                unread_count: unread,
            };
            if let Some(bytes) = frame(id, "notification", &event) {
                if tx.send(bytes).await.is_err() {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn concerned(&self, event: &Event) -> bool {
        matches!(event, Event::Notifications(who) if who.includes(self.me))
    }
}

struct Home {
    me: UserId,
    /// The accounts whose tweets reach my home timeline (me included).
    authors: HashSet<UserId>,
    sent: Sent,
}

impl Home {
    async fn authors(state: &AppState, me: UserId) -> Result<HashSet<UserId>, ApiError> {
        let mut authors = db::run(&state.pool, move |conn| follows::followee_ids(conn, me)).await?;
        authors.insert(me);
        Ok(authors)
    }
}

impl Source for Home {
    async fn catch_up(
        &mut self,
        state: &AppState,
        tx: &mpsc::Sender<Bytes>,
        since: i64,
    ) -> Result<bool, ApiError> {
        let me = self.me;
        let found = db::run(&state.pool, move |conn| {
            tweets::home_since(conn, me, since, REPLAY)
        })
        .await?;
        for tweet in found {
            let position = tweet.position.get();
            if !self.sent.first_time(position) {
                continue;
            }
            let view = TweetView::new(tweet, &state.settings.media_url);
            if let Some(bytes) = frame(position, "tweet", &view) {
                if tx.send(bytes).await.is_err() {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn concerned(&self, event: &Event) -> bool {
        match event {
            Event::Tweets(Who::All) => true,
            Event::Tweets(who) => who.any_in(&self.authors),
            _ => false,
        }
    }

    async fn refresh(&mut self, state: &AppState) -> Result<(), ApiError> {
        self.authors = Self::authors(state, self.me).await?;
        Ok(())
    }
}

#[utoipa::path(
    get,
    path = "/streaming/notifications",
    operation_id = "streamNotifications",
    tag = "notifications",
    summary = "My new notifications as they happen (Server-Sent Events)",
    description = "A `text/event-stream` of `notification` events (`id:` the notification id, `data:` a \
NotificationEvent) and `: keep-alive` comments every 15 s. With `Last-Event-ID`, the notifications after it \
come first (at most 100, the newest). The stream ends when the session does. Browsers: `EventSource` cannot send \
the `Authorization` header; read the stream with `fetch`.",
    params(
        ("Last-Event-ID" = Option<i64>, Header, description = "The `id:` of the last event received", minimum = 0),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = NotificationEvent),
        (status = 400, description = "`Last-Event-ID` is not a non-negative integer", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn notifications(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let replay = last_event_id(&req)?;
    let last = match replay {
        Some(id) => id,
        None => {
            db::run(&state.pool, move |conn| {
                notifications::newest_id(conn, me.id)
            })
            .await?
        }
    };
    Ok(run(
        state,
        me,
        Notifications {
            me: me.id,
            sent: Sent::default(),
        },
        last,
        replay.is_some(),
    )
    .await)
}

#[utoipa::path(
    get,
    path = "/streaming/home",
    operation_id = "streamHomeTimeline",
    tag = "tweets",
    summary = "New tweets of my home timeline as they arrive (Server-Sent Events)",
    description = "A `text/event-stream` of `tweet` events (`id:` the item's home-timeline position, `data:` a Tweet, \
`reposted_by` set for a repost) in the order they arrive, and `: keep-alive` comments every 15 s. With \
`Last-Event-ID`, what came after it comes first (at most 100, the newest). The same rules as `GET /timeline` decide \
what is shown. The stream ends when the session does.",
    params(
        ("Last-Event-ID" = Option<i64>, Header, description = "The `id:` of the last event received", minimum = 0),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = crate::routes::views::TweetView),
        (status = 400, description = "`Last-Event-ID` is not a non-negative integer", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn home(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let replay = last_event_id(&req)?;
    let last = match replay {
        Some(id) => id,
        None => db::run(&state.pool, tweets::newest_position).await?,
    };
    let authors = Home::authors(&state, me.id).await?;
    Ok(run(
        state,
        me,
        Home {
            me: me.id,
            authors,
            sent: Sent::default(),
        },
        last,
        replay.is_some(),
    )
    .await)
}

#[cfg(test)]
mod tests {
    use super::Sent;

    /// A row committed late (a smaller id after larger ones) is still sent
    /// once; nothing is sent twice.
    #[test]
    fn each_id_is_sent_once_even_out_of_order() {
        let mut sent = Sent::default();
        assert!(sent.first_time(101));
        assert!(sent.first_time(100), "the late one");
        assert!(!sent.first_time(101));
        assert!(!sent.first_time(100));
        for id in 200..1300 {
            sent.first_time(id);
        }
        assert!(!sent.first_time(150), "older than anything remembered");
    }
}
