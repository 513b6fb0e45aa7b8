//! The language a message should be written in: `x-request-language` (Auth0's
//! header), else the preferred tag of `Accept-Language`.

use http::HeaderMap;
use http::header::ACCEPT_LANGUAGE;

/// At most this many list entries are looked at.
const MAX_ENTRIES: usize = 32;

/// The requested locale, if any header names a usable one.
pub(crate) fn locale(headers: &HeaderMap) -> Option<String> {
    ["x-request-language", ACCEPT_LANGUAGE.as_str()]
        .into_iter()
        .filter_map(|name| headers.get(name)?.to_str().ok())
        .find_map(preferred)
}

/// The tag with the highest `q` in a language-range list; the first one on
/// a tie. `*`, `q=0` and malformed entries are skipped.
fn preferred(list: &str) -> Option<String> {
    let mut best: Option<(u16, &str)> = None;
    for entry in list.split(',').take(MAX_ENTRIES) {
        let mut fields = entry.split(';');
        let tag = fields.next().unwrap_or_default().trim();
        if !is_tag(tag) {
            continue;
        }
        let mut q = Some(1000);
        for f in fields {
            if let Some(v) = f.trim().strip_prefix("q=") {
                q = quality(v.trim());
            }
        }
        match q {
            Some(q) if q > 0 && best.is_none_or(|(b, _)| q > b) => best = Some((q, tag)),
            _ => {}
        }
    }
    best.map(|(_, tag)| tag.to_owned())
}

/// A BCP 47-ish tag: letters first, then letters, digits and `-`, at most 35
/// characters.
fn is_tag(s: &str) -> bool {
    (1..=35).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A `q` value in thousandths: `0`, `1`, `0.8`, `0.125`, `1.000`.
fn quality(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let frac_value = format!("{frac:0<3}").parse::<u16>().ok()?;
    let q = whole + frac_value;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn x_request_language_wins_over_accept_language() {
        let h = headers(&[("x-request-language", "fr-CA"), ("accept-language", "de")]);
        assert_eq!(locale(&h).as_deref(), Some("fr-CA"));
    }

    #[test]
    fn the_highest_quality_tag_is_chosen_and_ties_go_to_the_first() {
        let h = headers(&[("accept-language", "en;q=0.5, *, pt-BR;q=0.9, es;q=0.9")]);
        assert_eq!(locale(&h).as_deref(), Some("pt-BR"));
        let h = headers(&[("accept-language", "nl, de")]);
        assert_eq!(locale(&h).as_deref(), Some("nl"));
    }

    #[test]
    fn refused_and_malformed_entries_are_skipped() {
        let h = headers(&[("accept-language", "fr;q=0, de;q=2, <script>, it;q=0.001")]);
        assert_eq!(locale(&h).as_deref(), Some("it"));
        let h = headers(&[("accept-language", "*")]);
        assert_eq!(locale(&h), None);
        assert_eq!(locale(&HeaderMap::new()), None);
    }

    #[test]
    fn an_unusable_x_request_language_falls_back_to_accept_language() {
        let h = headers(&[("x-request-language", "???"), ("accept-language", "sv")]);
        assert_eq!(locale(&h).as_deref(), Some("sv"));
    }
}
