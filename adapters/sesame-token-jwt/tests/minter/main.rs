//! `JwtMinter` through the `TokenMinter` port: round trips, rejections and
//! the claims on the wire.

mod claims;
#[cfg(feature = "tokio")]
mod offload;
mod rejection;
mod round_trip;
mod support;
