//! `sesame`: the bundled server (under construction).

mod config;

fn main() {}
