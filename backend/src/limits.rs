//! Request body deadlines: a client that sends its headers and part of a
//! body, then stalls (or trickles), would otherwise hold its connection — and
//! the handler waiting on it — forever. Every body is read through
//! [`TimedPayload`]: a pause longer than `BODY_IDLE_TIMEOUT` or a body not
//! whole within `BODY_READ_TIMEOUT` ends the read with a timeout error, which
//! the extractors turn into `408 Request Timeout` and a closed connection.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::header,
    middleware::Next,
    web::Bytes,
    HttpMessage as _,
};
use futures_util::Stream;
use tokio::time::{sleep, Instant, Sleep};

use crate::state::AppState;

/// The I/O error a timed-out body read ends with.
fn timed_out(what: &str) -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("the request body {what}"),
    ))
}

/// Whether a payload error is one of ours.
pub fn is_timeout(err: &PayloadError) -> bool {
    matches!(err, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
}

pub struct TimedPayload {
    inner: Payload,
    idle: Duration,
    idle_timer: Pin<Box<Sleep>>,
    total_timer: Pin<Box<Sleep>>,
    finished: bool,
}

impl TimedPayload {
    pub fn new(inner: Payload, idle: Duration, total: Duration) -> Self {
        Self {
            inner,
            idle,
            idle_timer: Box::pin(sleep(idle)),
            total_timer: Box::pin(sleep(total)),
            finished: false,
        }
    }
}

impl Stream for TimedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let next = Instant::now() + self.idle;
                self.idle_timer.as_mut().reset(next);
                return Poll::Ready(Some(Ok(chunk)));
            }
            Poll::Ready(other) => {
                if other.is_none() {
                    self.finished = true;
                }
                return Poll::Ready(other);
            }
            Poll::Pending => {}
        }
        let error = if self.total_timer.as_mut().poll(cx).is_ready() {
            timed_out("did not arrive in time")
        } else if self.idle_timer.as_mut().poll(cx).is_ready() {
            timed_out("stalled")
        } else {
            return Poll::Pending;
        };
        self.finished = true;
        Poll::Ready(Some(Err(error)))
    }
}

/// Middleware: reads every request body that has one through [`TimedPayload`].
pub async fn body_deadlines(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let has_body = req.headers().contains_key(header::CONTENT_LENGTH)
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    let limits = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| (s.settings.body_idle_timeout, s.settings.body_read_timeout));
    if let (true, Some((idle, total))) = (has_body, limits) {
        let payload = req.take_payload();
        req.set_payload(Payload::Stream {
            payload: Box::pin(TimedPayload::new(payload, idle, total)),
        });
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn stream(chunks: &'static [&'static [u8]], then_stall: bool) -> Payload {
        let items = futures_util::stream::iter(
            chunks
                .iter()
                .map(|c| Ok::<_, PayloadError>(Bytes::from_static(c))),
        );
        if then_stall {
            Payload::Stream {
                payload: Box::pin(items.chain(futures_util::stream::pending())),
            }
        } else {
            Payload::Stream {
                payload: Box::pin(items),
            }
        }
    }

    #[actix_web::test]
    async fn a_stalled_body_ends_with_a_timeout_and_a_flowing_one_does_not() {
        let idle = Duration::from_millis(50);
        let mut timed = TimedPayload::new(stream(&[b"part"], true), idle, Duration::from_secs(60));
        assert_eq!(timed.next().await.unwrap().unwrap(), "part");
        // Nothing more comes: the idle deadline ends the read.
        let err = timed.next().await.unwrap().unwrap_err();
        assert!(is_timeout(&err), "{err}");
        assert!(timed.next().await.is_none());

        // The total deadline holds even while pieces keep coming.
        let mut timed = TimedPayload::new(stream(&[], true), Duration::from_secs(60), idle);
        assert!(is_timeout(&timed.next().await.unwrap().unwrap_err()));

        let mut timed = TimedPayload::new(
            stream(&[b"who", b"le"], false),
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        assert_eq!(timed.next().await.unwrap().unwrap(), "who");
        assert_eq!(timed.next().await.unwrap().unwrap(), "le");
        assert!(timed.next().await.is_none());
    }
}
