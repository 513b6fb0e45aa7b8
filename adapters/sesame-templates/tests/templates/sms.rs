//! Text messages: one GSM-7 segment, code first.

use sesame_domain::ports::MessageRenderer;
use sesame_templates::{LiquidRenderer, gsm7};

use crate::support::{self, APP, CODE};

#[test]
fn builtin_texts_fit_one_gsm7_segment_with_a_long_name_and_code() {
    assert_eq!(APP.chars().count(), 30);
    assert_eq!(CODE.len(), 10);
    let r = LiquidRenderer::builtin().unwrap();
    for locale in LiquidRenderer::BUILTIN_LOCALES {
        for minutes in [1, 10, 1440] {
            let mut ctx = support::sms(Some(locale));
            ctx.expires_in_minutes = minutes;
            let m = r.render_sms(&ctx).unwrap();
            let odd: String = gsm7::non_gsm_chars(&m.body).collect();
            assert!(
                odd.is_empty(),
                "{locale}: {odd:?} force UCS-2 in {:?}",
                m.body
            );
            let septets = gsm7::septets(&m.body).unwrap();
            assert!(septets <= gsm7::GSM7_SEGMENT, "{locale}: {septets} septets");
            assert!(gsm7::fits_one_segment(&m.body));
            assert_eq!(m.locale, locale);
        }
    }
}

#[test]
fn the_code_comes_first_in_every_builtin_text() {
    let r = LiquidRenderer::builtin().unwrap();
    for locale in LiquidRenderer::BUILTIN_LOCALES {
        let m = r.render_sms(&support::sms(Some(locale))).unwrap();
        let at = m.body.find(CODE).unwrap();
        assert!(
            at + CODE.len() <= 20,
            "{locale}: code at {at} in {:?}",
            m.body
        );
        assert!(m.body.contains(APP), "{locale}: {:?}", m.body);
        assert!(!m.body.contains('\n'));
    }
}
