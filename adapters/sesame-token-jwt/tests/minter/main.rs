//! `JwtMinter` through the `TokenMinter` port: round trips, rejections and
//! the claims on the wire.

mod claims;
mod rejection;
mod round_trip;
mod support;
