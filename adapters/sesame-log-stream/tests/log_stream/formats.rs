//! What a receiver gets in each format: the body's shape, its entries,
//! and the headers.

use sesame_domain::ports::EventSink;
use sesame_log_stream::{LogStream, LogStreamConfig, StreamFormat};

use crate::receiver::Receiver;
use crate::support::{AUTHORIZATION, config, drops, entry, event};

#[tokio::test]
async fn json_lines_sends_the_batch_as_one_entry_per_line() {
    let mut receiver = Receiver::ok().await;
    let (on_drop, drops) = drops();
    let (sink, worker) =
        LogStream::spawn(config(&receiver.url, StreamFormat::JsonLines), on_drop).unwrap();
    let events = [event(1), event(2), event(3)];

    for e in &events {
        sink.emit(e.clone());
    }
    let got = receiver.next().await;

    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("authorization"), Some(AUTHORIZATION));
    let want: Vec<_> = events.iter().map(entry).collect();
    assert_eq!(got.json_lines(), want);
    assert_eq!(got.json_lines()[0]["data"]["type"], "s");
    worker.shutdown().await;
    assert!(receiver.rest().is_empty());
    assert_eq!(drops.total(), 0);
}

#[tokio::test]
async fn json_array_sends_the_batch_as_one_array() {
    let mut receiver = Receiver::ok().await;
    let (on_drop, drops) = drops();
    let (sink, worker) =
        LogStream::spawn(config(&receiver.url, StreamFormat::JsonArray), on_drop).unwrap();
    let events = [event(1), event(2), event(3)];

    for e in &events {
        sink.emit(e.clone());
    }
    let got = receiver.next().await;

    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("authorization"), Some(AUTHORIZATION));
    let want: Vec<_> = events.iter().map(entry).collect();
    assert_eq!(got.json(), serde_json::Value::Array(want));
    worker.shutdown().await;
    assert!(receiver.rest().is_empty());
    assert_eq!(drops.total(), 0);
}

#[tokio::test]
async fn json_object_sends_one_post_per_event() {
    let mut receiver = Receiver::ok().await;
    let (on_drop, drops) = drops();
    let (sink, worker) =
        LogStream::spawn(config(&receiver.url, StreamFormat::JsonObject), on_drop).unwrap();
    let events = [event(1), event(2), event(3)];

    for e in &events {
        sink.emit(e.clone());
    }

    for e in &events {
        let got = receiver.next().await;
        assert_eq!(got.header("content-type"), Some("application/json"));
        assert_eq!(got.header("authorization"), Some(AUTHORIZATION));
        assert_eq!(got.json(), entry(e));
    }
    worker.shutdown().await;
    assert!(receiver.rest().is_empty());
    assert_eq!(drops.total(), 0);
}

#[tokio::test]
async fn a_post_carries_at_most_batch_size_events() {
    let mut receiver = Receiver::ok().await;
    let (on_drop, _drops) = drops();
    let config = LogStreamConfig {
        batch_size: 2,
        ..config(&receiver.url, StreamFormat::JsonArray)
    };
    let (sink, worker) = LogStream::spawn(config, on_drop).unwrap();

    for n in 1..=5 {
        sink.emit(event(n));
    }

    for ids in [[1, 2].as_slice(), &[3, 4], &[5]] {
        let want: Vec<_> = ids.iter().map(|&n| entry(&event(n))).collect();
        assert_eq!(receiver.next().await.json(), serde_json::Value::Array(want));
    }
    worker.shutdown().await;
}

#[tokio::test]
async fn no_authorization_header_is_sent_when_none_is_configured() {
    let mut receiver = Receiver::ok().await;
    let (on_drop, _drops) = drops();
    let config = LogStreamConfig::new(&receiver.url, StreamFormat::JsonObject);
    let (sink, worker) = LogStream::spawn(config, on_drop).unwrap();

    sink.emit(event(1));

    let got = receiver.next().await;
    assert_eq!(got.header("authorization"), None);
    assert_eq!(got.json(), entry(&event(1)));
    worker.shutdown().await;
}
