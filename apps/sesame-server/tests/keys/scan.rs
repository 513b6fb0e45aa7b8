//! Every cell of every table, tried as a private key: PKCS#8 DER as it is,
//! or wrapped in PEM, base64 or hex text.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sqlx::{Connection as _, Row as _};

fn is_private_key(der: &[u8]) -> bool {
    RsaKeyPair::from_pkcs8(der).is_ok()
        || EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).is_ok()
        || Ed25519KeyPair::from_pkcs8(der).is_ok()
        || Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).is_ok()
}

/// The ways a cell could hold key bytes.
fn readings(cell: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![cell.to_vec()];
    let Ok(text) = std::str::from_utf8(cell) else {
        return out;
    };
    let compact: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
        .split_whitespace()
        .collect();
    let hex_text = compact.trim_start_matches("\\x");
    out.extend(STANDARD.decode(&compact).ok());
    out.extend(URL_SAFE_NO_PAD.decode(&compact).ok());
    out.extend(hex::decode(hex_text).ok());
    out
}

/// Whether `cell` holds a private key in any form [`readings`] knows.
pub fn holds_a_private_key(cell: &[u8]) -> bool {
    readings(cell).iter().any(|bytes| is_private_key(bytes))
}

/// `(table.column, cell)` for every non-null cell of every table in the
/// SQLite database at `path`.
pub async fn sqlite_cells(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let url = format!("sqlite://{}", path.display());
    let mut db = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("opening the database");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut db)
            .await
            .expect("listing tables");
    let mut cells = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
            .bind(&table)
            .fetch_all(&mut db)
            .await
            .expect("listing columns");
        for column in columns {
            let sql = format!(r#"SELECT CAST("{column}" AS BLOB) FROM "{table}""#);
            for value in sqlx::query_scalar::<_, Option<Vec<u8>>>(&sql)
                .fetch_all(&mut db)
                .await
                .expect("reading a column")
                .into_iter()
                .flatten()
            {
                cells.push((format!("{table}.{column}"), value));
            }
        }
    }
    cells
}

/// `(table.column, cell)` for every non-null cell of every table in the
/// PostgreSQL database at `url` (bytea as bytes, the rest as text).
pub async fn postgres_cells(url: &str) -> Vec<(String, Vec<u8>)> {
    let mut db = sqlx::PgConnection::connect(url)
        .await
        .expect("connecting to postgres");
    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(&mut db)
    .await
    .expect("listing columns");
    let mut cells = Vec::new();
    for row in columns {
        let (table, column, kind): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let sql = if kind == "bytea" {
            format!(r#"SELECT "{column}" FROM "{table}""#)
        } else {
            format!(r#"SELECT convert_to("{column}"::text, 'UTF8') FROM "{table}""#)
        };
        for value in sqlx::query_scalar::<_, Option<Vec<u8>>>(&sql)
            .fetch_all(&mut db)
            .await
            .expect("reading a column")
            .into_iter()
            .flatten()
        {
            cells.push((format!("{table}.{column}"), value));
        }
    }
    cells
}

/// The `table.column` names of the cells that hold a private key.
pub fn columns_with_keys(cells: &[(String, Vec<u8>)]) -> Vec<String> {
    cells
        .iter()
        .filter(|(_, cell)| holds_a_private_key(cell))
        .map(|(name, _)| name.clone())
        .collect()
}

#[test]
fn the_scan_finds_a_key_in_der_pem_base64_and_hex() {
    let der = Ed25519KeyPair::generate()
        .expect("a key")
        .to_pkcs8v1()
        .expect("its PKCS#8")
        .as_ref()
        .to_vec();
    let b64 = STANDARD.encode(&der);
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n");
    for form in [
        der.clone(),
        pem.into_bytes(),
        b64.into_bytes(),
        format!("\\x{}", hex::encode(&der)).into_bytes(),
    ] {
        assert!(holds_a_private_key(&form));
    }
    assert!(!holds_a_private_key(b"SSK1 not a key"));
}
