//! The domain says what to tell a user (which page, which problem, which
//! values); `sesame-templates` alone turns that into HTML or text. This
//! reads the code (comments aside) of every source file of the crate and
//! fails on markup, CSS or the wording of a message or a page.
//!
//! Auth0's `error_description` strings ("Wrong email or verification
//! code.") are API contract, not presentation, and are not looked for.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// HTML markup.
const MARKUP: [&str; 14] = [
    "<!doctype",
    "<html",
    "<head",
    "<body",
    "<main",
    "<title",
    "<style",
    "<script",
    "<h1",
    "<p>",
    "<form",
    "<input",
    "<button",
    "<a href",
];

/// CSS.
const CSS: [&str; 6] = [
    "font-family",
    "{margin",
    ";margin",
    "style=",
    "color:#",
    "border-radius",
];

/// What the messages and the pages say.
const WORDING: [&str; 13] = [
    "verification code is",
    "is your",
    "sign-in link",
    "sign in with this link",
    "ignore this email",
    "expires in",
    "sign in to",
    "continue to finish",
    "back to the application",
    "this link is not valid",
    "this link has expired",
    "this link was already used",
    "something went wrong",
];

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sources(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `source` without its comment lines: the docs may name what a renderer
/// MUST do with a `<style>`.
fn code(source: &str) -> String {
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_domain_holds_no_markup_css_or_message_wording() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files).unwrap();
    assert!(files.len() > 20, "found only {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let source = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let text = code(&source).to_lowercase();
        for needle in MARKUP.iter().chain(&CSS).chain(&WORDING) {
            if text.contains(needle) {
                let at = file.strip_prefix(&src).unwrap_or(file);
                found.push(format!("{}: {needle:?}", at.display()));
            }
        }
    }
    assert!(found.is_empty(), "presentation in the domain: {found:#?}");
}
