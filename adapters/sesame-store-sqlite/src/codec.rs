//! Column values to domain values and back.
//!
//! Every decoder names the table and column it failed on, never the value:
//! rows hold addresses and OAuth parameters that must not reach a log.

use rusqlite::Row;
use rusqlite::types::FromSql;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sesame_domain::ports::StoreError;
use sesame_domain::{CodeMac, Connection, Recipient, Timestamp};

use crate::error::{corrupt, store_error, unrepresentable};

/// Column `col` of `row`, decoded as `T`.
pub(crate) fn get<T: FromSql>(row: &Row<'_>, col: &str) -> Result<T, StoreError> {
    row.get(col).map_err(store_error)
}

/// An INTEGER unix-millis column.
pub(crate) fn timestamp(row: &Row<'_>, col: &str) -> Result<Timestamp, StoreError> {
    get::<i64>(row, col).map(Timestamp::from_unix_millis)
}

/// A nullable INTEGER unix-millis column.
pub(crate) fn opt_timestamp(row: &Row<'_>, col: &str) -> Result<Option<Timestamp>, StoreError> {
    Ok(get::<Option<i64>>(row, col)?.map(Timestamp::from_unix_millis))
}

/// A 0/1 INTEGER column.
pub(crate) fn flag(row: &Row<'_>, table: &str, col: &str) -> Result<bool, StoreError> {
    match get::<i64>(row, col)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(corrupt(table, col, "not 0 or 1")),
    }
}

/// A non-negative INTEGER column that fits in a `u32`.
pub(crate) fn small_count(row: &Row<'_>, table: &str, col: &str) -> Result<u32, StoreError> {
    u32::try_from(get::<i64>(row, col)?).map_err(|_| corrupt(table, col, "out of range"))
}

/// A non-negative INTEGER column.
pub(crate) fn count(row: &Row<'_>, table: &str, col: &str) -> Result<u64, StoreError> {
    u64::try_from(get::<i64>(row, col)?).map_err(|_| corrupt(table, col, "negative"))
}

/// A 32-byte BLOB column holding a MAC.
pub(crate) fn mac(row: &Row<'_>, table: &str, col: &str) -> Result<CodeMac, StoreError> {
    let bytes: Vec<u8> = get(row, col)?;
    CodeMac::try_from_slice(&bytes).map_err(|_| corrupt(table, col, "not a 32-byte MAC"))
}

/// A nullable 32-byte BLOB column holding a MAC.
pub(crate) fn opt_mac(
    row: &Row<'_>,
    table: &str,
    col: &str,
) -> Result<Option<CodeMac>, StoreError> {
    get::<Option<Vec<u8>>>(row, col)?
        .map(|bytes| {
            CodeMac::try_from_slice(&bytes).map_err(|_| corrupt(table, col, "not a 32-byte MAC"))
        })
        .transpose()
}

/// The `connection` and `recipient` columns, as one recipient.
pub(crate) fn recipient(row: &Row<'_>, table: &str) -> Result<Recipient, StoreError> {
    let connection: Connection = get::<String>(row, "connection")?
        .parse()
        .map_err(|_| corrupt(table, "connection", "not email or sms"))?;
    let address: String = get(row, "recipient")?;
    Recipient::parse(connection, &address)
        .map_err(|_| corrupt(table, "recipient", "not a valid address for its connection"))
}

/// A TEXT column holding JSON.
pub(crate) fn json<T: DeserializeOwned>(
    row: &Row<'_>,
    table: &str,
    col: &str,
) -> Result<T, StoreError> {
    let text: String = get(row, col)?;
    // serde_json's messages quote the offending input, so only the position
    // is kept.
    serde_json::from_str(&text).map_err(|e| {
        corrupt(
            table,
            col,
            &format!("invalid JSON at line {} column {}", e.line(), e.column()),
        )
    })
}

/// A value as JSON text, for a TEXT column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|_| StoreError::Unknown(anyhow::anyhow!("{what} cannot be written as JSON")))
}

/// A `u64` as an INTEGER.
pub(crate) fn int(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| unrepresentable(what))
}
