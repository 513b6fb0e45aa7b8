//! The server configuration the benchmark expects (`bench-server.toml`,
//! compiled in), with its placeholders filled in.

/// The template, with `{{listen}}`, `{{store}}`, `{{cache}}`, `{{alg}}`,
/// `{{webhook_url}}` and `{{webhook_secret}}` placeholders.
pub const TEMPLATE: &str = include_str!("../bench-server.toml");

/// The client id the template registers.
pub const CLIENT_ID: &str = "sesame-bench";
/// The API (audience) the template registers.
pub const AUDIENCE: &str = "https://bench.sesame.test/";
/// The webhook secret both sides use unless told otherwise.
pub const DEFAULT_WEBHOOK_SECRET: &str = "sesame-bench-webhook-secret-0123456789";

/// What varies between benchmark servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// `[http] listen`, e.g. `127.0.0.1:3000`; also the issuer's host.
    pub listen: String,
    /// `[store] url`: `sqlite://…`, `postgres://…` or `memory://`.
    pub store: String,
    /// `[cache] url` (Redis), if any.
    pub cache: Option<String>,
    /// `[cache] cluster`: a Redis Cluster's seed nodes, instead of `cache`.
    pub cache_cluster: Vec<String>,
    /// `[cache] key_prefix`, so runs sharing a Redis do not meet.
    pub key_prefix: Option<String>,
    /// The API's `signing_alg` and the server's `default_signing_alg`:
    /// `RS256`, `ES256` or `EdDSA`.
    pub alg: String,
    /// `[email.webhook] url`: the bench's receiver.
    pub webhook_url: String,
    /// `[email.webhook] secret`.
    pub webhook_secret: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            store: "sqlite://target/bench/sesame.db".into(),
            cache: None,
            cache_cluster: Vec::new(),
            key_prefix: None,
            alg: "RS256".into(),
            webhook_url: "http://127.0.0.1:8089/sesame".into(),
            webhook_secret: DEFAULT_WEBHOOK_SECRET.into(),
        }
    }
}

impl ServerConfig {
    /// The TOML text.
    #[must_use]
    pub fn render(&self) -> String {
        let prefix = self
            .key_prefix
            .as_ref()
            .map_or_else(String::new, |p| format!("key_prefix = {}\n", quote(p)));
        let cache = if self.cache_cluster.is_empty() {
            self.cache.as_ref().map_or_else(String::new, |url| {
                format!("\n[cache]\nurl = {}\n{prefix}", quote(url))
            })
        } else {
            let seeds: Vec<String> = self.cache_cluster.iter().map(|u| quote(u)).collect();
            format!("\n[cache]\ncluster = [{}]\n{prefix}", seeds.join(", "))
        };
        TEMPLATE
            .replace("\"{{listen}}\"", &quote(&self.listen))
            .replace("{{listen}}", &self.listen)
            .replace("\"{{store}}\"", &quote(&self.store))
            .replace("{{cache}}", &cache)
            .replace("\"{{alg}}\"", &quote(&self.alg))
            .replace("\"{{webhook_url}}\"", &quote(&self.webhook_url))
            .replace("\"{{webhook_secret}}\"", &quote(&self.webhook_secret))
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled_in() {
        let text = ServerConfig {
            cache: Some("redis://127.0.0.1:6379".into()),
            key_prefix: Some("bench-1:".into()),
            ..ServerConfig::default()
        }
        .render();
        assert!(!text.contains("{{"), "{text}");
        assert!(
            text.contains("issuer = \"http://127.0.0.1:3000/\""),
            "{text}"
        );
        assert!(
            text.contains("[cache]\nurl = \"redis://127.0.0.1:6379\"\nkey_prefix = \"bench-1:\"")
        );
        assert!(text.contains("signing_alg = \"RS256\""));
    }

    #[test]
    fn a_cluster_is_written_as_its_seed_list() {
        let text = ServerConfig {
            cache: Some("redis://127.0.0.1:6379".into()),
            cache_cluster: vec![
                "redis://127.0.0.1:7000".into(),
                "redis://127.0.0.1:7001".into(),
            ],
            key_prefix: Some("b:".into()),
            ..ServerConfig::default()
        }
        .render();
        assert!(
            text.contains(
                "[cache]\ncluster = [\"redis://127.0.0.1:7000\", \"redis://127.0.0.1:7001\"]\nkey_prefix = \"b:\""
            ),
            "{text}"
        );
        assert!(!text.contains("url = \"redis://"), "{text}");
    }

    #[test]
    fn the_per_ip_and_sms_limits_are_lifted_like_the_others() {
        let text = ServerConfig::default().render();
        for key in [
            "start_per_ip_per_hour",
            "failures_per_ip_per_hour",
            "requests_per_ip_per_second",
            "requests_per_ip_burst",
            "per_prefix_per_hour",
            "global_per_hour",
            "conversion_min_sent",
        ] {
            assert!(
                text.contains(&format!("{key} = 1000000000")),
                "{key} is not lifted: {text}"
            );
        }
        let settings = sesame_server::config::from_toml(&text).unwrap();
        let r = sesame_server::config::resolve(settings).unwrap();
        assert_eq!(r.http.requests_per_ip_per_second, 1_000_000_000);
        assert_eq!(r.passwordless.sms_guard.global.limit, 1_000_000_000);
    }

    #[test]
    fn values_are_quoted_as_toml_strings() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        let text = ServerConfig {
            store: "sqlite:///tmp/a \"b\".db".into(),
            ..ServerConfig::default()
        }
        .render();
        assert!(
            text.contains(r#"url = "sqlite:///tmp/a \"b\".db""#),
            "{text}"
        );
        assert!(!text.contains("[cache]"), "{text}");
    }
}
