//! # sesame-log-stream
//!
//! Streams Sesame's log events to an HTTP endpoint the way Auth0's HTTP
//! log streams do: batches POSTed as JSON, each event the entry
//! `{"log_id": "…", "data": {…}}` with `data` in Auth0's log shape
//! ([`LogEvent::auth0_json`](sesame_domain::LogEvent::auth0_json)).
//!
//! - [`LogStreamConfig`]: the URL, the `Authorization` header, the
//!   [`StreamFormat`] (`jsonlines`, `jsonarray`, `jsonobject`), batch and
//!   queue sizes, and retries.
//! - [`LogStream::spawn`]: a [`LogStreamSink`] (the domain's
//!   [`EventSink`](sesame_domain::ports::EventSink)) and a
//!   [`LogStreamWorker`] to shut the stream down with.
//!
//! Emitting never waits: events go into a bounded queue, and a full queue
//! drops the event. A POST without a 2xx answer is retried with
//! exponential backoff; after the last try its events are dropped. Every
//! dropped event is reported through the `on_drop` callback
//! ([`OnDrop`]). Nothing here logs an event's contents.

mod body;
mod config;
mod stream;
mod worker;

pub use config::{
    DEFAULT_BATCH_SIZE, DEFAULT_BUFFER, DEFAULT_FIRST_BACKOFF, DEFAULT_MAX_ATTEMPTS,
    LogStreamConfig, LogStreamError, StreamFormat,
};
pub use stream::{LogStream, LogStreamSink, LogStreamWorker, OnDrop, SHUTDOWN_GRACE};
