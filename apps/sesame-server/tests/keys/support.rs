//! Running the `sesame` binary's key commands, and reading a token's `kid`.

use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sesame_e2e::{Options, Storage, toml};

/// `sesame <args> --config <file>` with the configuration of a server on
/// `storage`; its output, whatever the exit status.
pub async fn sesame(storage: &Storage, options: &Options, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = dir.path().join("sesame.toml");
    std::fs::write(&config, toml(storage, "http://127.0.0.1:9/", options))
        .expect("writing the configuration");
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let output = std::process::Command::new(Path::new(env!("CARGO_BIN_EXE_sesame")))
            .args(&args)
            .arg("--config")
            .arg(&config)
            .env_remove("SESAME_CONFIG")
            .output();
        drop(dir);
        output
    })
    .await
    .expect("the command's thread")
    .expect("running sesame")
}

/// stdout of a command that must succeed.
pub fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "sesame failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The `kid` in the header of `jwt`.
pub fn kid_of(jwt: &str) -> String {
    let header = jwt.split('.').next().expect("a JWT header");
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64url"))
            .expect("a JSON header");
    header["kid"].as_str().expect("a kid").to_owned()
}

/// The access token of a token response.
pub fn access_token(tokens: &serde_json::Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}
