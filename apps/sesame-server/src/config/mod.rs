//! Layered configuration: built-in defaults, then the TOML file given by
//! `--config` or `SESAME_CONFIG`, then `SESAME__SECTION__KEY` environment
//! variables. [`resolve`] turns the result into domain values, naming the
//! offending key when one is wrong.

mod exposure;
mod providers;
mod resolve;
mod settings;
mod sms_guard;
mod store;
mod test_identities;
mod warnings;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};

pub use exposure::{
    DevelopmentSetting, check_callback, development_settings, is_loopback,
    refuse_development_settings,
};
pub use providers::*;
pub use resolve::{DEV_CLIENT_ID, Resolved, resolve};
pub use settings::*;
pub use sms_guard::SmsGuardSettings;
pub use store::{StoreKind, StoreSettings};
pub use warnings::warnings;

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
    extract(&Figment::from(Toml::string(toml)))
}

fn load_with_env(path: Option<&Path>, env: Env) -> Result<Settings, ConfigError> {
    let mut figment = Figment::new();
    if let Some(p) = path {
        if !p.is_file() {
            return Err(ConfigError::MissingFile(p.to_path_buf()));
        }
        figment = figment.merge(Toml::file_exact(p));
    }
    extract(&figment.merge(env))
}

fn extract(figment: &Figment) -> Result<Settings, ConfigError> {
    let settings: Settings = figment
        .extract()
        .map_err(|e| ConfigError::Invalid(describe(&e)))?;
    // The Redis adapter defaults its URL for its other users; the server
    // requires one (or a cluster's seeds), as a `[cache]` section is the
    // decision to use Redis.
    if let Some(cache) = &settings.cache {
        let has_url = figment.contains("cache.url");
        if cache.is_cluster() && has_url {
            let mut both = figment::Error::from(
                "give either `url` (one Redis) or `cluster` (seed nodes), not both".to_owned(),
            )
            .with_path("cache");
            both.metadata = figment.find_metadata("cache").cloned();
            return Err(ConfigError::Invalid(describe(&both)));
        }
        if !cache.is_cluster() && !has_url {
            let mut missing =
                figment::Error::from(figment::error::Kind::MissingField("url".into()))
                    .with_path("cache");
            missing.metadata = figment.find_metadata("cache").cloned();
            return Err(ConfigError::Invalid(describe(&missing)));
        }
    }
    Ok(settings)
}

/// figment's errors, one line each, with the key path (list indices as
/// `[i]`, the form `resolve` uses) and where it came from.
fn describe(e: &figment::Error) -> String {
    e.clone()
        .into_iter()
        .map(|err| {
            let key = err.path.iter().fold(String::new(), |mut key, part| {
                if part.parse::<usize>().is_ok() {
                    let _ = write!(key, "[{part}]");
                } else {
                    if !key.is_empty() {
                        key.push('.');
                    }
                    key.push_str(part);
                }
                key
            });
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
#[path = "abuse_tests.rs"]
mod abuse_tests;
#[cfg(test)]
#[path = "tests.rs"]
mod tests;
#[cfg(test)]
#[path = "typed_tests.rs"]
mod typed_tests;
