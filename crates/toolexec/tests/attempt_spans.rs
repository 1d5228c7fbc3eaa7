//! The spans of a call's attempts, as a subscriber sees them: each attempt's span
//! says how it ended, a hedge that lost included.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::builder;
use serde_json::{json, Value};
use toolexec::{
    tool_fn, CallContext, HedgeDelay, HedgePolicy, ToolAnnotations, ToolCall, ToolOptions, ToolSpec,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// A span's fields, as text.
#[derive(Clone, Debug, Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// Keeps the fields of every `attempt` span that closes.
#[derive(Clone, Default)]
struct ClosedAttempts(Arc<Mutex<Vec<Fields>>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for ClosedAttempts {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        if span.name() == "attempt" {
            if let Some(fields) = span.extensions().get::<Fields>() {
                self.0.lock().expect("the attempts").push(fields.clone());
            }
        }
    }
}

/// A read-only tool whose first attempt takes a second and every later one 10 ms.
fn slow_first() -> Arc<dyn toolexec::Tool> {
    let spec = ToolSpec::new("lookup", "slow first attempt")
        .with_annotations(ToolAnnotations::read_only());
    Arc::new(tool_fn(spec, |_: Value, ctx: CallContext| async move {
        let wait = if ctx.attempt == 1 { 1_000 } else { 10 };
        tokio::time::sleep(Duration::from_millis(wait)).await;
        Ok(json!({ "attempt": ctx.attempt }))
    }))
}

#[tokio::test(start_paused = true)]
async fn the_attempt_a_winning_hedge_cancels_is_recorded_superseded() {
    let closed = ClosedAttempts::default();
    let subscriber = tracing_subscriber::registry().with(closed.clone());
    let _default = tracing::subscriber::set_default(subscriber);
    let hedge = HedgePolicy {
        delay: HedgeDelay::Fixed(Duration::from_millis(50)),
        max_hedges: 1,
    };
    let executor = builder()
        .tool_with(slow_first(), ToolOptions::default().with_hedge(hedge))
        .build()
        .unwrap();

    let envelope = executor.execute(ToolCall::new("lookup", json!({}))).await;
    assert!(envelope.success);
    assert_eq!(envelope.result, Some(json!({ "attempt": 2 })));

    let closed = closed.0.lock().unwrap().clone();
    let mut seen: Vec<_> = closed
        .iter()
        .map(|fields| {
            let field = |name: &str| fields.0.get(name).cloned().unwrap_or_default();
            (
                field("toolexec.attempt"),
                field("toolexec.hedge"),
                field("toolexec.outcome"),
            )
        })
        .collect();
    let expected = |attempt: &str, hedge: &str, outcome: &str| {
        (attempt.to_owned(), hedge.to_owned(), outcome.to_owned())
    };
    seen.sort();
    assert_eq!(
        seen,
        [
            expected("1", "false", "superseded"),
            expected("2", "true", "success")
        ]
    );
}
