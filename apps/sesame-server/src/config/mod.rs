//! Layered configuration: built-in defaults, then the TOML file given by
//! `--config` or `SESAME_CONFIG`, then `SESAME__SECTION__KEY` environment
//! variables. [`resolve`] turns the result into domain values, naming the
//! offending key when one is wrong.

mod resolve;
mod settings;

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};

pub use resolve::{DEV_CLIENT_ID, Resolved, StoreKind, resolve};
pub use settings::*;

/// The configuration could not be loaded or is invalid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named by `--config` or `SESAME_CONFIG` does not exist.
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    /// Parsing or merging failed; figment's message names the key and source.
    #[error("{0}")]
    Invalid(String),
    /// A value parsed but is not acceptable.
    #[error("{key}: {message}")]
    Value {
        /// The dotted key, e.g. `clients[0].grant_types`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ConfigError {
    /// A bad value under `key`.
    pub fn value(key: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self::Value {
            key: key.into(),
            message: message.to_string(),
        }
    }
}

/// Loads the layers; `path` is the explicit file, if any.
///
/// # Errors
/// [`ConfigError`] for a missing file, bad TOML, a wrong type or an unknown
/// key (the message names it).
pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
    load_with_env(path, Env::prefixed("SESAME__").split("__"))
}

/// Parses `toml` alone, without a file or the environment: for tests and
/// embedders that build their configuration in code.
///
/// # Errors
/// As [`load`].
pub fn from_toml(toml: &str) -> Result<Settings, ConfigError> {
    Figment::from(Toml::string(toml))
        .extract()
        .map_err(|e| ConfigError::Invalid(describe(&e)))
}

fn load_with_env(path: Option<&Path>, env: Env) -> Result<Settings, ConfigError> {
    let mut figment = Figment::new();
    if let Some(p) = path {
        if !p.is_file() {
            return Err(ConfigError::MissingFile(p.to_path_buf()));
        }
        figment = figment.merge(Toml::file_exact(p));
    }
    figment
        .merge(env)
        .extract()
        .map_err(|e| ConfigError::Invalid(describe(&e)))
}

/// figment's errors, one line each, with the key path and where it came from.
fn describe(e: &figment::Error) -> String {
    e.clone()
        .into_iter()
        .map(|err| {
            let key = err.path.join(".");
            let source = err
                .metadata
                .as_ref()
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            if key.is_empty() {
                format!("{} ({source})", err.kind)
            } else {
                format!("{key}: {} ({source})", err.kind)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
