//! Tests of the Liquid renderer: the built-ins in every language, locale
//! negotiation, overrides from a directory, SMS length, and the magic-link
//! pages.

mod builtin;
mod locales;
mod overrides;
mod pages;
mod sms;
mod support;
