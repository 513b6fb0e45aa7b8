//! The server speaks HTTPS when given a certificate: a client trusting only
//! a throwaway CA reaches discovery and gets the https issuer back, and a
//! plain-HTTP request to the TLS port gets no answer.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed step should fail loudly"
)]

use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use sesame_server::{build, config};

struct Pki {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let issuer = rcgen::Issuer::new(ca, &ca_key);
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

#[tokio::test]
async fn with_a_certificate_the_server_speaks_https() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, &pki.cert_pem).unwrap();
    std::fs::write(&key, &pki.key_pem).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let toml = format!(
        "issuer = \"https://localhost:{port}/\"\n[http]\ntls_cert = {cert:?}\ntls_key = {key:?}\n[store]\nurl = \"memory://\"\n",
    );
    let app = build(config::resolve(config::from_toml(&toml).unwrap()).unwrap())
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(listener, async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap())
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let response = client
        .get(format!(
            "https://localhost:{port}/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000"),
        "served over TLS, the server sends Strict-Transport-Security"
    );
    let discovery: serde_json::Value = response.json().await.unwrap();
    assert_eq!(discovery["issuer"], format!("https://localhost:{port}/"));

    let plain = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let answer = plain
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(
        answer.is_err() || !answer.unwrap().status().is_success(),
        "plain HTTP must not be served on the TLS port"
    );

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_a_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (pki(), pki());
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, &a.cert_pem).unwrap();
    std::fs::write(&key, &b.key_pem).unwrap();
    let toml =
        format!("[http]\ntls_cert = {cert:?}\ntls_key = {key:?}\n[store]\nurl = \"memory://\"\n");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let err = rt
        .block_on(build(
            config::resolve(config::from_toml(&toml).unwrap()).unwrap(),
        ))
        .err()
        .unwrap();
    assert!(format!("{err:#}").contains("tls_key"), "{err:#}");
}
