//! Rebuilds the crate when a migration changes, since `src/migrate.rs`
//! embeds them at compile time (`include_str!`).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
