//! The per-request tracing span: what it records, and what it must not.

use std::sync::{Arc, Mutex};

use http::StatusCode;

use crate::common::*;

/// A subscriber that keeps every span field it is told about.
#[derive(Clone, Default)]
struct Fields(Arc<Mutex<Vec<(String, String)>>>);

struct Visit<'a>(&'a Fields);

impl tracing::field::Visit for Visit<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let mut v = (self.0).0.lock().unwrap();
        v.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl tracing::Subscriber for Fields {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        // Other tests run with no subscriber at all; without this, a callsite
        // they registered first stays cached as "never" and this test sees
        // no span (a flaky failure when the tests share a process).
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        attrs.record(&mut Visit(self));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Visit(self));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn each_request_span_has_method_route_status_and_latency_but_no_query() {
    let fields = Fields::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(fields.clone(), || {
        tracing::callsite::rebuild_interest_cache();
        rt.block_on(async {
            let r = send(app(mock()), get("/healthz?token=sekrit")).await;
            assert_eq!(r.status, StatusCode::OK);
        });
    });
    let seen = fields.0.lock().unwrap().clone();
    let value = |name: &str| {
        seen.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(value("method"), "GET");
    assert_eq!(value("route"), "\"/healthz\"");
    assert_eq!(value("status"), "200");
    assert!(!value("latency_ms").is_empty());
    assert!(seen.iter().all(|(_, v)| !v.contains("sekrit")), "{seen:?}");
}
