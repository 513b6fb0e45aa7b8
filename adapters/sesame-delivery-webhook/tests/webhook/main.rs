//! `WebhookSender` against a real axum receiver on 127.0.0.1:0.

mod delivery;
mod faults;
mod receiver;
mod support;
