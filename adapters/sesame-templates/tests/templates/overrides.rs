//! Templates from a directory: they win, and whatever is missing falls back.

use sesame_domain::challenge::SendMode;
use sesame_domain::ports::{MessageRenderer, RenderError};
use sesame_templates::{LiquidRenderer, LoadError};

use crate::support::{self, APP, CODE, LINK, hrefs, load_error, unescape, write};

const FR_CODE: &str = "--- subject ---
Code {{ application.name }} : {{ code }}
--- text ---
Bonjour ! {{ code }} ({{ operation }}, {{ expires_in_minutes }} min, {{ request_language }})
--- html ---
<p>{{ application.name | escape }} <a href=\"{{ link | escape }}\">{{ link }}</a> {{ code }}</p>
";

#[test]
fn overrides_win_and_missing_templates_fall_back_to_the_builtins() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "email_code.fr.liquid", FR_CODE);
    write(
        dir.path(),
        "sms_code.it.liquid",
        "{{ code }} è il tuo codice {{ application.name }}",
    );
    write(dir.path(), "README.md", "not a template");
    let r = LiquidRenderer::from_dir(dir.path(), "en").unwrap();

    let m = r
        .render_email(&support::email(SendMode::Code, Some("fr-CA")))
        .unwrap();
    assert_eq!(m.locale, "fr");
    assert_eq!(m.subject, format!("Code {APP} : {CODE}"));
    assert_eq!(m.text, format!("Bonjour ! {CODE} (login, 10 min, fr-CA)\n"));

    let builtin = r
        .render_email(&support::email(SendMode::Link, Some("fr")))
        .unwrap();
    assert_eq!(builtin.locale, "fr");
    assert!(
        builtin.subject.contains("lien de connexion"),
        "{}",
        builtin.subject
    );

    let sms = r.render_sms(&support::sms(Some("it-IT"))).unwrap();
    assert_eq!(
        (sms.locale.as_str(), sms.body.as_str()),
        ("it", &*format!("{CODE} è il tuo codice {APP}"))
    );
    let email = r
        .render_email(&support::email(SendMode::Code, Some("it")))
        .unwrap();
    assert_eq!(email.locale, "en");
    assert_eq!(
        r.locales(sesame_templates::TemplateKind::SmsCode),
        ["de", "en", "es", "fr", "it"]
    );
}

#[test]
fn escaping_in_an_override_never_escapes_twice() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "email_code.fr.liquid", FR_CODE);
    let r = LiquidRenderer::from_dir(dir.path(), "en").unwrap();
    let m = r
        .render_email(&support::email(SendMode::Code, Some("fr")))
        .unwrap();
    let html = m.html.unwrap();
    assert_eq!(
        hrefs(&html).into_iter().map(unescape).collect::<Vec<_>>(),
        [LINK]
    );
    assert!(
        html.contains(&support::html_escape(APP)) && !html.contains("&amp;amp;"),
        "{html}"
    );
}

#[test]
fn request_language_is_a_string_even_when_the_request_named_none() {
    let dir = tempfile::tempdir().unwrap();
    let body = "{% if request_language contains 'fr' %}FR{% else %}other{% endif %} {{ code }}";
    write(dir.path(), "sms_code.en.liquid", body);
    let r = LiquidRenderer::from_dir(dir.path(), "en").unwrap();
    let m = r.render_sms(&support::sms(None)).unwrap();
    assert_eq!(m.body, format!("other {CODE}"));
}

#[test]
fn an_override_without_html_sends_text_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "email_link.en.liquid",
        "--- subject ---\nGo\n--- text ---\n{{ link }}\n",
    );
    let r = LiquidRenderer::from_dir(dir.path(), "en").unwrap();
    let m = r
        .render_email(&support::email(SendMode::Link, None))
        .unwrap();
    assert_eq!(
        (m.subject.as_str(), m.text.as_str(), m.html),
        ("Go", &*format!("{LINK}\n"), None)
    );
}

#[test]
fn an_override_may_set_the_default_locale() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sms_code.pt-BR.liquid",
        "{{ code }} é seu código",
    );
    let r = LiquidRenderer::from_dir(dir.path(), "pt-BR").unwrap();
    let m = r.render_sms(&support::sms(None)).unwrap();
    assert_eq!(m.locale, "pt-BR");
    assert_eq!(
        r.render_sms(&support::sms(Some("pt"))).unwrap().locale,
        "pt-BR"
    );
    assert_eq!(
        r.render_email(&support::email(SendMode::Code, None))
            .unwrap()
            .locale,
        "en"
    );
}

#[test]
fn a_bad_override_is_an_error_that_names_the_file() {
    for (name, body, why) in [
        ("sms_code.de.liquid", "{% if code %}unclosed", "body"),
        (
            "email_code.en.liquid",
            "--- subject ---\n{{ code \n--- text ---\nx",
            "subject",
        ),
        (
            "email_code.en.liquid",
            "--- subject ---\nS\n--- text ---\nT\n--- html ---\n{{ x | nope }}",
            "html",
        ),
        ("email_link.de.liquid", "--- subject ---\nS\n", "text"),
        ("email_link.de.liquid", "Hallo", "line 1"),
        ("mail_code.de.liquid", "x", "unknown template"),
        ("sms_code.liquid", "x", "bad file name"),
        ("sms_code.e!.liquid", "x", "not a language tag"),
    ] {
        let msg = load_error(name, body);
        assert!(msg.contains(name), "{name}: {msg}");
        assert!(msg.contains(why), "{name}: {msg}");
    }
}

#[test]
fn two_files_for_one_template_and_locale_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sms_code.pt-BR.liquid", "{{ code }}");
    write(dir.path(), "sms_code.pt_br.liquid", "{{ code }}");
    let msg = LiquidRenderer::from_dir(dir.path(), "en")
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("sms_code.pt-BR.liquid") && msg.contains("sms_code.pt_br.liquid"),
        "{msg}"
    );
}

#[test]
fn a_missing_directory_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = LiquidRenderer::from_dir(&missing, "en").unwrap_err();
    assert!(matches!(err, LoadError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains("nope"));
}

#[test]
fn a_failing_render_is_a_template_error_without_the_code_or_link() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sms_code.en.liquid",
        "{{ code }} {{ user.email }}",
    );
    write(
        dir.path(),
        "email_code.en.liquid",
        "--- subject ---\n{{ code | slice: link }}\n--- text ---\nx",
    );
    let r = LiquidRenderer::from_dir(dir.path(), "en").unwrap();
    let err = r.render_sms(&support::sms(None)).unwrap_err();
    let err2 = r
        .render_email(&support::email(SendMode::Code, None))
        .unwrap_err();
    for err in [err, err2] {
        let RenderError::Template(msg) = &err else {
            panic!("{err:?}")
        };
        assert!(!msg.contains(CODE) && !msg.contains(LINK), "{msg}");
    }
}
