//! # sesame-templates
//!
//! Liquid templates for the messages Sesame sends, so Auth0 users can bring
//! their own. [`LiquidRenderer`] implements the domain's
//! [`MessageRenderer`](sesame_domain::ports::MessageRenderer) with
//! built-in English, German, French and Spanish texts, any of which a
//! directory of `.liquid` files can override or extend (see
//! [`LiquidRenderer::from_dir`] and the crate README for the file format).
//!
//! Templates see `code`, `link`, `application.name`, `request_language`,
//! `operation` (`signup` / `login`), `expires_in_minutes`, plus `send`
//! (`code` / `link`) and `locale` (the language actually used). In the HTML
//! part every variable arrives HTML-escaped already.
//!
//! [`HtmlPages`] implements the domain's
//! [`PageRenderer`](sesame_domain::ports::PageRenderer): the magic-link
//! confirm and error pages in the same four languages, negotiated the same
//! way. They are built in and not overridable from a directory.
//!
//! `LiquidRenderer::builtin()` and `HtmlPages::default()` are the English
//! messages and pages for an embedder that wants no other language.
//!
//! [`gsm7`] counts SMS septets, to keep texts within one segment.

mod builtin;
mod catalog;
mod error;
mod escape;
pub mod gsm7;
mod kind;
mod locale;
mod markup;
mod pages;
mod pages_text;
mod renderer;
mod source;

pub use error::LoadError;
pub use kind::TemplateKind;
pub use pages::HtmlPages;
pub use renderer::LiquidRenderer;
