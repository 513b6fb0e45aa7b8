//! Column values to domain types and back, shared by the port modules.
//!
//! Decoding failures become [`StoreError::Corrupt`] and name the column, never
//! the value, since values may be addresses or key material.

use std::str::FromStr;

use sesame_domain::code::CodeMac;
use sesame_domain::ports::StoreError;
use sesame_domain::recipient::{Connection, Recipient};

use crate::error::{corrupt, out_of_range};

/// A recipient from its `connection` and `recipient` columns.
pub(crate) fn recipient(connection: &str, raw: &str) -> Result<Recipient, StoreError> {
    let connection = parse::<Connection>("connection", connection)?;
    Recipient::parse(connection, raw).map_err(|_| corrupt("recipient does not parse"))
}

/// A MAC from a `BYTEA` column.
pub(crate) fn mac(column: &str, bytes: &[u8]) -> Result<CodeMac, StoreError> {
    CodeMac::try_from_slice(bytes).map_err(|e| corrupt(format!("{column}: {e}")))
}

/// A value stored as its name (`FromStr`).
pub(crate) fn parse<T: FromStr>(column: &str, s: &str) -> Result<T, StoreError> {
    s.parse()
        .map_err(|_| corrupt(format!("{column} holds an unknown value")))
}

/// A non-negative `BIGINT` as the unsigned type the domain uses.
pub(crate) fn unsigned<T: TryFrom<i64>>(column: &str, n: i64) -> Result<T, StoreError> {
    T::try_from(n).map_err(|_| corrupt(format!("{column} is out of range")))
}

/// An unsigned domain value as a `BIGINT`.
pub(crate) fn bigint<T: TryInto<i64>>(field: &str, n: T) -> Result<i64, StoreError> {
    n.try_into().map_err(|_| out_of_range(field))
}
