//! Language tags: read loosely, matched case-insensitively, and negotiated by
//! RFC 4647 lookup (`fr-CA` → `fr`), then the default locale, then English.

/// The locale every built-in template exists in: the last resort.
pub(crate) const LAST_RESORT: &str = "en";

/// A language tag in matching form (lower case, `-` separators), or `None`
/// when `raw` is not a plausible BCP 47 tag. `pt_BR` is read as `pt-br`.
pub(crate) fn normalize(raw: &str) -> Option<String> {
    let tag = raw.trim().replace('_', "-").to_ascii_lowercase();
    let mut subtags = tag.split('-');
    let primary = subtags.next()?;
    let ok = (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && tag.len() <= 35
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    ok.then_some(tag)
}

/// The conventional spelling of a normalized tag: `pt-BR`, `zh-Hant-TW`,
/// `es-419`. Used for `Content-Language` and the message's `locale`.
pub(crate) fn display(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut private = false;
    for (i, sub) in key.split('-').enumerate() {
        if i > 0 {
            out.push('-');
        }
        private |= i > 0 && sub.len() == 1;
        let alpha = sub.chars().all(|c| c.is_ascii_alphabetic());
        if i == 0 || private || !alpha {
            out.push_str(sub);
        } else if sub.len() == 2 {
            out.push_str(&sub.to_ascii_uppercase());
        } else if sub.len() == 4 {
            let (first, rest) = sub.split_at(1);
            out.push_str(&first.to_ascii_uppercase());
            out.push_str(rest);
        } else {
            out.push_str(sub);
        }
    }
    out
}

/// `key` and its ever shorter prefixes, dropping a dangling singleton:
/// `zh-hant-tw`, `zh-hant`, `zh`; `de-x-foo` gives `de-x-foo`, `de`.
fn lookup_chain(key: &str) -> Vec<&str> {
    let mut chain = vec![key];
    let mut rest = key;
    while let Some((head, _)) = rest.rsplit_once('-') {
        rest = match head.rsplit_once('-') {
            Some((shorter, single)) if single.len() == 1 => shorter,
            _ => head,
        };
        chain.push(rest);
    }
    chain
}

/// The locales to try, best first: the request's chain, the default's
/// chain, then [`LAST_RESORT`]. Duplicates are left in; they are harmless.
pub(crate) fn candidates(requested: Option<&str>, default: &str) -> Vec<String> {
    let requested = requested.and_then(normalize);
    let mut out: Vec<String> = Vec::new();
    if let Some(r) = &requested {
        out.extend(lookup_chain(r).into_iter().map(str::to_owned));
    }
    out.extend(lookup_chain(default).into_iter().map(str::to_owned));
    out.push(LAST_RESORT.to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_loosely_and_spelled_conventionally() {
        assert_eq!(normalize(" pt_BR ").as_deref(), Some("pt-br"));
        assert_eq!(display("pt-br"), "pt-BR");
        assert_eq!(display("zh-hant-tw"), "zh-Hant-TW");
        assert_eq!(display("es-419"), "es-419");
        assert_eq!(display("de-x-ab"), "de-x-ab");
    }

    #[test]
    fn garbage_is_not_a_tag() {
        for bad in [
            "",
            "e",
            "../etc",
            "en-",
            "en--us",
            "1en",
            "en us",
            "é",
            "averyveryverylongtag",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lookup_drops_subtags_from_the_right() {
        assert_eq!(lookup_chain("zh-hant-tw"), ["zh-hant-tw", "zh-hant", "zh"]);
        assert_eq!(lookup_chain("de-x-foo"), ["de-x-foo", "de"]);
        assert_eq!(lookup_chain("en"), ["en"]);
    }

    #[test]
    fn candidates_go_request_then_default_then_english() {
        assert_eq!(candidates(Some("fr-CA"), "de"), ["fr-ca", "fr", "de", "en"]);
        assert_eq!(candidates(None, "es"), ["es", "en"]);
        assert_eq!(candidates(Some("!!"), "en"), ["en", "en"]);
    }
}
