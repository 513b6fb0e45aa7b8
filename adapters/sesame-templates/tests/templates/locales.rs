//! Which language a message is written in.

use sesame_templates::{LiquidRenderer, LoadError};

use crate::support::used;

#[test]
fn an_exact_match_wins_then_the_primary_language_then_the_default() {
    let r = LiquidRenderer::builtin().unwrap();
    for (requested, expected) in [
        (Some("de"), "de"),
        (Some("fr-CA"), "fr"),
        (Some("es-419"), "es"),
        (Some("FR_ca"), "fr"),
        (Some(" en-GB "), "en"),
        (Some("pt"), "en"),
        (Some("zh-Hant-TW"), "en"),
        (Some("../../etc/passwd"), "en"),
        (Some(""), "en"),
        (None, "en"),
    ] {
        let (email, sms) = used(&r, requested);
        assert_eq!(email, expected, "email for {requested:?}");
        assert_eq!(sms, expected, "sms for {requested:?}");
    }
}

#[test]
fn a_configured_default_locale_replaces_english_as_the_fallback() {
    let r = LiquidRenderer::new("de").unwrap();
    assert_eq!(used(&r, Some("pt-BR")), ("de".to_owned(), "de".to_owned()));
    assert_eq!(used(&r, None), ("de".to_owned(), "de".to_owned()));
    assert_eq!(used(&r, Some("fr")), ("fr".to_owned(), "fr".to_owned()));
}

#[test]
fn a_default_locale_without_templates_falls_back_to_english() {
    let r = LiquidRenderer::new("it").unwrap();
    assert_eq!(used(&r, None), ("en".to_owned(), "en".to_owned()));
    let r = LiquidRenderer::new("de-AT").unwrap();
    assert_eq!(used(&r, None), ("de".to_owned(), "de".to_owned()));
}

#[test]
fn a_default_locale_that_is_not_a_tag_is_refused() {
    let err = LiquidRenderer::new("english please").unwrap_err();
    assert!(matches!(err, LoadError::BadLocale(_)), "{err}");
    assert!(err.to_string().contains("english please"));
}

#[test]
fn the_builtins_exist_in_four_languages_for_every_kind() {
    let r = LiquidRenderer::builtin().unwrap();
    for kind in sesame_templates::TemplateKind::ALL {
        assert_eq!(r.locales(kind), ["de", "en", "es", "fr"], "{kind}");
    }
}
