//! Statements assembled at run time (searches, batches): the text with a
//! `?` for each value, and the values in order. Values are always bound,
//! never written into the text.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};
use sesame_domain::ports::StoreError;

/// A statement being assembled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Value>,
}

impl Sql {
    /// A statement starting with `text`.
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends `text` as it is.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a parameter bound to `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.args.push(value.into());
        self
    }

    /// Every row, each decoded by `decode`. The statement is kept prepared:
    /// one text per filter combination, few of them.
    pub(crate) fn query_all<T>(
        &self,
        conn: &Connection,
        decode: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        crate::conn::query_all(conn, &self.text, params_from_iter(&self.args), decode)
    }

    /// Runs it; how many rows it changed. Not kept prepared: its text
    /// varies with the size of the batch.
    pub(crate) fn execute_once(&self, conn: &Connection) -> Result<u64, StoreError> {
        let mut statement = conn
            .prepare(&self.text)
            .map_err(crate::error::store_error)?;
        let changed = statement
            .execute(params_from_iter(&self.args))
            .map_err(crate::error::store_error)?;
        Ok(changed as u64)
    }
}
