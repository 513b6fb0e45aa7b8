//! Every template, parsed once: the built-ins, then a directory's overrides
//! on top, keyed by kind and locale.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use liquid::{Parser, ParserBuilder, Template};

use crate::error::LoadError;
use crate::escape::IdempotentEscape;
use crate::kind::TemplateKind;
use crate::{builtin, locale, source};

/// A parsed template.
pub(crate) enum Compiled {
    /// The three parts of an email.
    Email {
        subject: Template,
        text: Template,
        html: Option<Template>,
    },
    /// A text message body.
    Sms(Template),
}

/// A template and the locale it is written in.
pub(crate) struct Entry {
    /// Conventional spelling (`pt-BR`), for the message's `locale`.
    pub(crate) locale: String,
    pub(crate) template: Compiled,
}

/// The two Liquid dialects: plain, and HTML with an idempotent `escape`.
struct Parsers {
    plain: Parser,
    html: Parser,
}

impl Parsers {
    fn new() -> Result<Self, LoadError> {
        let fail = |e: liquid::Error| LoadError::Invalid {
            file: PathBuf::from("<built-in>"),
            reason: format!("cannot build the Liquid parser: {e}"),
        };
        Ok(Self {
            plain: ParserBuilder::with_stdlib().build().map_err(fail)?,
            html: ParserBuilder::with_stdlib()
                .filter(IdempotentEscape)
                .build()
                .map_err(fail)?,
        })
    }
}

/// All templates by kind and normalized locale.
pub(crate) struct Catalog {
    entries: HashMap<(TemplateKind, String), Entry>,
    parsers: Parsers,
}

impl Catalog {
    /// The built-in templates.
    pub(crate) fn builtin() -> Result<Self, LoadError> {
        let mut catalog = Self {
            entries: HashMap::new(),
            parsers: Parsers::new()?,
        };
        for (name, src) in builtin::FILES {
            let path = Path::new("<built-in>").join(name);
            let (kind, key) = parse_name(name).map_err(|reason| invalid(&path, reason))?;
            catalog.insert(kind, key, &path, src)?;
        }
        Ok(catalog)
    }

    /// Adds (or replaces) every `<kind>.<locale>.liquid` file in `dir`.
    /// Other files, hidden files and subdirectories are ignored.
    pub(crate) fn load_dir(&mut self, dir: &Path) -> Result<(), LoadError> {
        let read_err = |path: &Path| {
            let path = path.to_owned();
            move |source| LoadError::Read { path, source }
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_err(dir))? {
            let entry = entry.map_err(read_err(dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with('.') || !name.ends_with(".liquid") || !path.is_file() {
                continue;
            }
            files.push((name, path));
        }
        files.sort();
        let mut seen: HashMap<(TemplateKind, String), PathBuf> = HashMap::new();
        for (name, path) in files {
            let (kind, key) = parse_name(&name).map_err(|reason| invalid(&path, reason))?;
            if let Some(first) = seen.insert((kind, key.clone()), path.clone()) {
                let reason = format!("same template and locale as {}", first.display());
                return Err(invalid(&path, reason));
            }
            let src = std::fs::read_to_string(&path).map_err(read_err(&path))?;
            self.insert(kind, key, &path, &src)?;
        }
        Ok(())
    }

    fn insert(
        &mut self,
        kind: TemplateKind,
        key: String,
        path: &Path,
        src: &str,
    ) -> Result<(), LoadError> {
        let template = self.compile(kind, src).map_err(|r| invalid(path, r))?;
        let entry = Entry {
            locale: locale::display(&key),
            template,
        };
        self.entries.insert((kind, key), entry);
        Ok(())
    }

    fn compile(&self, kind: TemplateKind, src: &str) -> Result<Compiled, String> {
        let parse = |parser: &Parser, part: &str, text: &str| {
            parser.parse(text).map_err(|e| format!("{part}: {e}"))
        };
        if !kind.is_email() {
            return parse(&self.parsers.plain, "body", src).map(Compiled::Sms);
        }
        let s = source::split_email(src)?;
        Ok(Compiled::Email {
            subject: parse(&self.parsers.plain, "subject", &s.subject)?,
            text: parse(&self.parsers.plain, "text", &s.text)?,
            html: s
                .html
                .map(|h| parse(&self.parsers.html, "html", &h))
                .transpose()?,
        })
    }

    /// The first of `candidates` (normalized locales) that has a `kind`
    /// template.
    pub(crate) fn pick(&self, kind: TemplateKind, candidates: &[String]) -> Option<&Entry> {
        candidates
            .iter()
            .find_map(|key| self.entries.get(&(kind, key.clone())))
    }

    /// The locales `kind` exists in, sorted.
    pub(crate) fn locales(&self, kind: TemplateKind) -> Vec<String> {
        let mut out: Vec<_> = self
            .entries
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|(_, e)| e.locale.clone())
            .collect();
        out.sort();
        out
    }
}

fn invalid(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::Invalid {
        file: path.to_owned(),
        reason: reason.into(),
    }
}

/// `email_code.pt-BR.liquid` → (`EmailCode`, `pt-br`).
fn parse_name(name: &str) -> Result<(TemplateKind, String), String> {
    let expected =
        "expected <email_code|email_link|sms_code>.<locale>.liquid, e.g. email_code.fr.liquid";
    let (stem, tag) = name
        .strip_suffix(".liquid")
        .and_then(|n| n.split_once('.'))
        .ok_or_else(|| format!("bad file name: {expected}"))?;
    let kind = TemplateKind::from_stem(stem)
        .ok_or_else(|| format!("unknown template {stem:?}: {expected}"))?;
    let key = locale::normalize(tag)
        .ok_or_else(|| format!("{tag:?} is not a language tag: {expected}"))?;
    Ok((kind, key))
}
