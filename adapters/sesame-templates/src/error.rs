//! Why a [`LiquidRenderer`](crate::LiquidRenderer) could not be built.

use std::io;
use std::path::PathBuf;

/// Building the renderer failed. Every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or the directory could not be read.
    #[error("cannot read template {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// A template file is misnamed, lacks a section or does not parse.
    #[error("invalid template {}: {reason}", file.display())]
    Invalid {
        /// The file (built-ins are named `<built-in>/<file name>`).
        file: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The configured default locale is not a language tag.
    #[error("default locale {0:?} is not a language tag like \"en\" or \"pt-BR\"")]
    BadLocale(String),
}
