//! Receivers that fail, are not there, or are too slow for the queue.

use std::time::Duration;

use sesame_domain::ports::EventSink;
use sesame_log_stream::{LogStream, LogStreamConfig, LogStreamError, StreamFormat};

use crate::receiver::Receiver;
use crate::support::{config, drops, entry, event};

#[tokio::test]
async fn a_batch_answered_500_twice_then_200_is_delivered_on_the_third_try() {
    let mut receiver = Receiver::answering(&[500, 500], 200).await;
    let (on_drop, drops) = drops();
    let (sink, worker) =
        LogStream::spawn(config(&receiver.url, StreamFormat::JsonArray), on_drop).unwrap();

    sink.emit(event(1));
    sink.emit(event(2));

    let want = serde_json::json!([entry(&event(1)), entry(&event(2))]);
    for _ in 0..3 {
        assert_eq!(receiver.next().await.json(), want);
    }
    worker.shutdown().await;
    assert!(receiver.rest().is_empty(), "no try after the 200");
    assert_eq!(drops.total(), 0);
}

#[tokio::test]
async fn a_batch_that_always_fails_is_dropped_and_counted_after_max_attempts() {
    let mut receiver = Receiver::answering(&[], 503).await;
    let (on_drop, mut drops) = drops();
    let config = LogStreamConfig {
        max_attempts: 3,
        ..config(&receiver.url, StreamFormat::JsonLines)
    };
    let (sink, worker) = LogStream::spawn(config, on_drop).unwrap();

    sink.emit(event(1));
    sink.emit(event(2));

    assert_eq!(drops.next().await, 2, "the whole batch, at once");
    let tries = receiver.rest();
    assert_eq!(tries.len(), 3);
    for tried in &tries {
        assert_eq!(tried.json_lines(), [entry(&event(1)), entry(&event(2))]);
    }
    worker.shutdown().await;
    assert!(receiver.rest().is_empty(), "no fourth try");
    assert_eq!(drops.total(), 2);
}

#[tokio::test]
async fn an_endpoint_that_is_not_there_gets_its_events_dropped_and_counted() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/logs", listener.local_addr().unwrap());
    drop(listener);
    let (on_drop, mut drops) = drops();
    let config = LogStreamConfig {
        max_attempts: 2,
        ..config(&url, StreamFormat::JsonObject)
    };
    let (sink, worker) = LogStream::spawn(config, on_drop).unwrap();

    sink.emit(event(1));
    sink.emit(event(2));

    assert_eq!(drops.next().await, 1, "one POST per event");
    assert_eq!(drops.next().await, 1);
    worker.shutdown().await;
}

#[tokio::test]
async fn a_full_buffer_drops_and_counts_new_events_without_blocking() {
    let mut receiver = Receiver::holding().await;
    let (on_drop, mut drops) = drops();
    let config = LogStreamConfig {
        buffer: 1,
        batch_size: 1,
        ..config(&receiver.url, StreamFormat::JsonArray)
    };
    let (sink, worker) = LogStream::spawn(config, on_drop).unwrap();

    sink.emit(event(1));
    let first = receiver.next().await; // taken off the queue, held unanswered
    sink.emit(event(2)); // fills the queue
    sink.emit(event(3));
    sink.emit(event(4));

    assert_eq!(drops.next().await, 1);
    assert_eq!(drops.next().await, 1);
    assert_eq!(drops.total(), 2);
    receiver.release();
    assert_eq!(first.json(), serde_json::json!([entry(&event(1))]));
    assert_eq!(
        receiver.next().await.json(),
        serde_json::json!([entry(&event(2))])
    );
    worker.shutdown().await;
    assert!(
        receiver.rest().is_empty(),
        "the dropped events never go out"
    );
    assert_eq!(drops.total(), 2);
}

#[test]
fn spawning_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let (on_drop, _drops) = drops();
    let config = LogStreamConfig::new("http://127.0.0.1:9/logs", StreamFormat::JsonLines);
    let result = LogStream::spawn(config, on_drop);
    assert!(matches!(result, Err(LogStreamError::NoRuntime)));
}

#[tokio::test]
async fn spawning_with_unusable_settings_is_an_error() {
    let (on_drop, _drops) = drops();
    let config = LogStreamConfig {
        buffer: 0,
        first_backoff: Duration::ZERO,
        ..LogStreamConfig::new("http://127.0.0.1:9/logs", StreamFormat::JsonLines)
    };
    let result = LogStream::spawn(config, on_drop);
    assert!(matches!(result, Err(LogStreamError::ZeroBuffer)));
}
