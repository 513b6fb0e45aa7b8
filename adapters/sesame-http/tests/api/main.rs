//! The HTTP API through `tower::ServiceExt::oneshot`, on a mock service and,
//! end to end, on the real service over the testkit's in-memory adapters.
//!
//! The modules are `cfg(test)` so their helpers count as test code, where
//! unwrapping is how a failed step fails the test.

#[cfg(test)]
mod answers;
#[cfg(test)]
mod answers_management;
#[cfg(test)]
mod answers_mfa;
#[cfg(test)]
mod common;
#[cfg(test)]
mod conformance;
#[cfg(test)]
mod dpop;
#[cfg(test)]
mod edge;
#[cfg(test)]
mod endpoints;
#[cfg(test)]
mod flood;
#[cfg(test)]
mod flows;
#[cfg(test)]
mod link_csrf;
#[cfg(test)]
mod links;
#[cfg(test)]
mod logs;
#[cfg(test)]
mod management;
#[cfg(test)]
mod mfa;
#[cfg(test)]
mod openapi;
#[cfg(test)]
mod pages;
#[cfg(test)]
mod start;
#[cfg(test)]
mod start_errors;
#[cfg(test)]
mod token;
#[cfg(test)]
mod token_errors;
