//! HTML escaping for the HTML part and the pages. Variables are escaped
//! before they reach the template, and the `escape` filter there leaves
//! existing entities alone, so `{{ link }}` and `{{ link | escape }}` both
//! give a working href.

use liquid_core::{Display_filter, Filter, FilterReflection, ParseFilter};
use liquid_core::{Result, Runtime, Value, ValueView};

/// `s` with `& < > " '` replaced by entities, for text and attributes (of
/// the messages and the pages alike).
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` starts with the rest of a character reference (`amp;`,
/// `#39;`, `#x2F;`), i.e. an `&` before it is already an escape.
fn is_entity_tail(s: &str) -> bool {
    // References are short; `;` is ASCII, so its byte index is a boundary.
    let Some(end) = s.bytes().take(33).position(|b| b == b';') else {
        return false;
    };
    let name = &s[..end];
    if let Some(num) = name.strip_prefix('#') {
        return match num.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()),
        };
    }
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Like [`html`], but an `&` that starts a character reference stays.
pub(crate) fn html_once(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '&' if is_entity_tail(&s[i + 1..]) => out.push('&'),
            _ => out.push_str(&html(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// The `escape` filter of the HTML parser: escapes without double-escaping.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "escape",
    description = "Escapes HTML, leaving existing character references alone.",
    parsed(EscapeOnceFilter)
)]
pub(crate) struct IdempotentEscape;

#[derive(Debug, Default, Display_filter)]
#[name = "escape"]
struct EscapeOnceFilter;

impl Filter for EscapeOnceFilter {
    fn evaluate(&self, input: &dyn ValueView, _runtime: &dyn Runtime) -> Result<Value> {
        if input.is_nil() {
            return Ok(Value::Nil);
        }
        Ok(Value::scalar(html_once(&input.to_kstr())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_the_five_specials() {
        assert_eq!(
            html(r#"<a href="x?a=1&b='2'">"#),
            "&lt;a href=&quot;x?a=1&amp;b=&#39;2&#39;&quot;&gt;"
        );
    }

    #[test]
    fn escaping_once_is_idempotent() {
        let raw = "a=1&b=2 & <c> &amp; &#39; &#x2f; &copy; &; &amp;ééééééééééééééééé";
        let once = html_once(raw);
        assert_eq!(
            once,
            "a=1&amp;b=2 &amp; &lt;c&gt; &amp; &#39; &#x2f; &copy; &amp;; &amp;ééééééééééééééééé"
        );
        assert_eq!(html_once(&once), once);
        assert_eq!(html_once(&html(raw)), html(raw));
    }
}
