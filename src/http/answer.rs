//! What every answer of this layer gets on its way out: the code the client is told, for
//! the metrics and the call's log line (`ops::call::Outcome`), and, for HEAD, no body.

use crate::ops::call::{Outcome, status_from_head};
use bytes::Bytes;
use http::{HeaderValue, Response};
use http_body::{Body as _, Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tonic::body::Body;
use tonic::{Code, Status};

/// `response` with its outcome: as set by whoever made it, else the head's code once the
/// body has ended, or the code of the error that broke it off (a CSV page that failed).
pub fn finish(response: Response<Body>, head: bool) -> Response<Body> {
    let response = if response.extensions().get::<Outcome>().is_some() {
        response
    } else {
        let code = status_from_head(&response).unwrap_or(Code::Ok);
        let outcome = Outcome::pending();
        let (mut parts, body) = response.into_parts();
        parts.extensions.insert(outcome.clone());
        let body = Body::new(Settling {
            inner: body,
            code,
            outcome,
        });
        Response::from_parts(parts, body)
    };
    if head { head_only(response) } else { response }
}

/// HEAD: the GET's head (with its length when known) and no body.
fn head_only(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    if let Some(length) = body.size_hint().exact() {
        parts
            .headers
            .entry(http::header::CONTENT_LENGTH)
            .or_insert_with(|| HeaderValue::from(length));
    }
    // The body is never sent: the head's code is the answer.
    if let Some(outcome) = parts.extensions.get::<Outcome>() {
        let mut head = Response::new(());
        *head.status_mut() = parts.status;
        *head.headers_mut() = parts.headers.clone();
        outcome.set(status_from_head(&head).unwrap_or(Code::Ok));
    }
    Response::from_parts(parts, Body::empty())
}

/// A body that settles its outcome when it ends.
struct Settling {
    inner: Body,
    code: Code,
    outcome: Outcome,
}

impl http_body::Body for Settling {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        match &frame {
            None => self.outcome.set(self.code),
            Some(Err(status)) => self.outcome.set(status.code()),
            // A body that knows it has ended may not be polled again.
            Some(Ok(_)) if self.inner.is_end_stream() => self.outcome.set(self.code),
            Some(Ok(_)) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
