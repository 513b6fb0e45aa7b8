//! The email file format: one file holds the subject, the plain text and
//! (optionally) the HTML, each after a marker line.
//!
//! ```text
//! --- subject ---
//! {{ code }} is your {{ application.name }} code
//! --- text ---
//! Your code is {{ code }}.
//! --- html ---
//! <p>Your code is <strong>{{ code }}</strong>.</p>
//! ```
//!
//! A marker is a line that reads `--- subject ---`, `--- text ---` or
//! `--- html ---` (surrounding spaces ignored). Sections may come in any
//! order, each at most once; `subject` and `text` are required. Only blank
//! lines may precede the first marker.

/// The three sections of an email template, still unparsed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct EmailSource {
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Subject,
    Text,
    Html,
}

/// The section a marker line opens, `Ok(None)` for an ordinary line.
fn marker(line: &str) -> Result<Option<Section>, String> {
    let t = line.trim();
    let Some(inner) = t.strip_prefix("---").and_then(|r| r.strip_suffix("---")) else {
        return Ok(None);
    };
    let name = inner.trim();
    match name {
        "subject" => Ok(Some(Section::Subject)),
        "text" => Ok(Some(Section::Text)),
        "html" => Ok(Some(Section::Html)),
        // A rule of dashes inside a text is content, not a marker.
        _ if name.chars().all(|c| c == '-') => Ok(None),
        _ => Err(format!(
            "unknown section {t:?}: use --- subject ---, --- text --- or --- html ---"
        )),
    }
}

/// Splits an email template into its sections.
pub(crate) fn split_email(src: &str) -> Result<EmailSource, String> {
    let mut subject: Option<Vec<&str>> = None;
    let mut text: Option<Vec<&str>> = None;
    let mut html: Option<Vec<&str>> = None;
    let mut current: Option<Section> = None;
    for (n, line) in src.lines().enumerate() {
        if let Some(section) = marker(line).map_err(|e| format!("line {}: {e}", n + 1))? {
            let slot = match section {
                Section::Subject => &mut subject,
                Section::Text => &mut text,
                Section::Html => &mut html,
            };
            if slot.is_some() {
                return Err(format!(
                    "line {}: section {:?} appears twice",
                    n + 1,
                    line.trim()
                ));
            }
            *slot = Some(Vec::new());
            current = Some(section);
            continue;
        }
        let slot = match current {
            None if line.trim().is_empty() => continue,
            None => {
                return Err(format!(
                    "line {}: text before the first section marker (--- subject ---)",
                    n + 1
                ));
            }
            Some(Section::Subject) => &mut subject,
            Some(Section::Text) => &mut text,
            Some(Section::Html) => &mut html,
        };
        if let Some(lines) = slot {
            lines.push(line);
        }
    }
    let subject = subject
        .ok_or("missing the --- subject --- section")?
        .join("\n");
    if subject.trim().is_empty() {
        return Err("the --- subject --- section is empty".to_owned());
    }
    Ok(EmailSource {
        subject,
        text: text.ok_or("missing the --- text --- section")?.join("\n"),
        html: html.map(|h| h.join("\n")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_in_any_order_and_html_is_optional() {
        let src = "\n--- text ---\r\nbody\r\n-----\r\n--- subject ---\r\nHi\r\n";
        let e = split_email(src).unwrap();
        assert_eq!(e.subject, "Hi");
        assert_eq!(e.text, "body\n-----");
        assert_eq!(e.html, None);
        let e = split_email("--- subject ---\nS\n--- html ---\n<p>x</p>\n--- text ---\nT").unwrap();
        assert_eq!(e.html.as_deref(), Some("<p>x</p>"));
    }

    #[test]
    fn malformed_files_say_what_is_wrong() {
        let cases = [
            ("--- text ---\nT", "subject"),
            ("--- subject ---\nS", "text"),
            ("--- subject ---\n \n--- text ---\nT", "empty"),
            ("Hello\n--- subject ---\nS\n--- text ---\nT", "line 1"),
            (
                "--- subject ---\nS\n--- body ---\n--- text ---\nT",
                "unknown section",
            ),
            (
                "--- subject ---\nS\n--- text ---\nT\n--- text ---\nU",
                "twice",
            ),
        ];
        for (src, needle) in cases {
            let err = split_email(src).unwrap_err();
            assert!(err.contains(needle), "{src:?}: {err}");
        }
    }
}
