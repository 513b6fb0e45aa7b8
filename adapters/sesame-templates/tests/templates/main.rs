//! Tests of the Liquid renderer: the built-ins in every language, locale
//! negotiation, overrides from a directory, and SMS length.

mod builtin;
mod locales;
mod overrides;
mod sms;
mod support;
