//! Shutting a stream down: what is queued is flushed, within a deadline.

use std::time::Duration;

use sesame_domain::ports::EventSink;
use sesame_log_stream::{LogStream, LogStreamConfig, StreamFormat};

use crate::receiver::Receiver;
use crate::support::{HANG_GUARD, config, drops, entry, event};

#[tokio::test]
async fn shutdown_delivers_every_queued_event_before_returning() {
    let mut receiver = Receiver::ok().await;
    let (on_drop, drops) = drops();
    let config = LogStreamConfig {
        batch_size: 2,
        ..config(&receiver.url, StreamFormat::JsonLines)
    };
    let (sink, worker) = LogStream::spawn(config, on_drop).unwrap();

    for n in 1..=5 {
        sink.emit(event(n));
    }
    tokio::time::timeout(HANG_GUARD, worker.shutdown())
        .await
        .unwrap();

    let delivered: Vec<_> = receiver
        .rest()
        .iter()
        .flat_map(|r| r.json_lines())
        .collect();
    let want: Vec<_> = (1..=5).map(|n| entry(&event(n))).collect();
    assert_eq!(delivered, want);
    assert_eq!(drops.total(), 0);
}

#[tokio::test]
async fn shutdown_gives_up_on_a_stuck_receiver_at_its_deadline_and_counts_the_rest() {
    let mut receiver = Receiver::holding().await;
    let (on_drop, drops) = drops();
    let config = LogStreamConfig {
        batch_size: 1,
        ..config(&receiver.url, StreamFormat::JsonObject)
    };
    let (sink, worker) = LogStream::spawn(config, on_drop).unwrap();

    sink.emit(event(1));
    receiver.next().await; // in flight, never answered
    sink.emit(event(2));
    sink.emit(event(3));
    tokio::time::timeout(
        HANG_GUARD,
        worker.shutdown_within(Duration::from_millis(50)),
    )
    .await
    .unwrap();

    assert_eq!(drops.total(), 3, "the one in flight and the two queued");
    assert!(receiver.rest().is_empty());
}

#[tokio::test]
async fn an_event_emitted_after_shutdown_is_dropped_and_counted() {
    let receiver = Receiver::ok().await;
    let (on_drop, drops) = drops();
    let (sink, worker) =
        LogStream::spawn(config(&receiver.url, StreamFormat::JsonLines), on_drop).unwrap();

    worker.shutdown().await;
    sink.emit(event(1));

    assert_eq!(drops.total(), 1);
}
