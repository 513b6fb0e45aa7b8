//! The error every storage port returns.

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached, or did not answer in time. Callers
    /// may retry later; nothing was changed, or the change is not known.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A stored record could not be decoded into the domain type.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}
