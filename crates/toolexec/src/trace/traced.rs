//! [`Trace`]: the span a call or an attempt has, if any, in one pointer's room, and
//! [`Traced`], a future run inside it.
//!
//! `tracing`'s own `Span` and `Instrumented` take 32 bytes each even for a span that
//! is off; a call's future would carry four of them. Boxed, a call that is not traced
//! carries two empty pointers and allocates nothing.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tracing::Span;

/// A span that is on, or none.
#[derive(Debug, Default, Clone)]
pub(crate) struct Trace(Option<Box<Span>>);

impl Trace {
    /// `span`, kept only when it is on.
    pub(crate) fn new(span: Span) -> Self {
        Self((!span.is_disabled()).then(|| Box::new(span)))
    }

    /// The span, when there is one.
    pub(crate) fn span(&self) -> Option<&Span> {
        self.0.as_deref()
    }

    /// `future`, run inside the span (entered whenever it is polled).
    pub(crate) fn instrument<F: Future>(&self, future: F) -> Traced<F> {
        self.clone().wrap(future)
    }

    /// `future`, run inside the span, which it takes.
    pub(crate) fn wrap<F: Future>(self, future: F) -> Traced<F> {
        Traced {
            inner: future,
            span: self.0,
        }
    }
}

pin_project! {
    /// A future run inside a span, when it has one.
    pub(crate) struct Traced<F> {
        #[pin]
        inner: F,
        span: Option<Box<Span>>,
    }
}

impl<F: Future> Future for Traced<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.as_deref().map(Span::enter);
        this.inner.poll(cx)
    }
}
