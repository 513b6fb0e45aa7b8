//! Each key deserializes as its domain or adapter type, refuses bad values
//! in that type's words and, when unset, takes that type's default.

use std::io::Write as _;

use secrecy::ExposeSecret as _;

use super::*;

fn file(contents: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(contents.as_bytes()).unwrap();
    f
}

fn first_error(toml: &str) -> String {
    from_toml(toml).and_then(resolve).unwrap_err().to_string()
}

#[test]
fn an_unknown_provider_is_refused_with_the_known_names() {
    let err = first_error("[email]\nprovider = \"carrier-pigeon\"\n");
    assert!(err.starts_with("email.provider: "), "{err}");
    assert!(err.contains("`console`, `smtp`, `webhook`"), "{err}");
    let err = first_error("[sms]\nprovider = \"smtp\"\n");
    assert!(err.starts_with("sms.provider: "), "{err}");
    assert!(err.contains("`console`, `sns`, `webhook`"), "{err}");
}

#[test]
fn grants_connections_and_algorithms_are_refused_in_the_domains_words() {
    let cases = [
        (
            "[[clients]]\nclient_id = \"a\"\ngrant_types = [\"refresh_token\", \"password\"]\n",
            "clients[0].grant_types[1]: unknown grant type \"password\"",
        ),
        (
            "[[clients]]\nclient_id = \"a\"\nconnections = [\"fax\"]\n",
            "clients[0].connections[0]: connection must be \"email\" or \"sms\"",
        ),
        (
            "[[apis]]\nidentifier = \"a\"\nsigning_alg = \"HS256\"\n",
            "apis[0].signing_alg: unsupported signing algorithm \"HS256\": use RS256, ES256 or EdDSA",
        ),
    ];
    for (toml, expected) in cases {
        let err = first_error(toml);
        assert!(err.starts_with(expected), "{err}");
    }
}

#[test]
fn unset_keys_take_the_domain_and_adapter_defaults() {
    let r = resolve(from_toml("").unwrap()).unwrap();
    let domain = sesame_domain::PasswordlessConfig::new(r.passwordless.issuer.clone());
    let p = &r.passwordless;
    assert_eq!(p.code_length, domain.code_length);
    assert_eq!(p.code_ttl, domain.code_ttl);
    assert_eq!(p.max_attempts, domain.max_attempts);
    assert_eq!(p.disable_signup, domain.disable_signup);
    assert_eq!(p.magic_links, domain.magic_links);
    assert_eq!(p.default_signing_alg, domain.default_signing_alg);
    assert_eq!(p.start_per_ip, domain.start_per_ip);
    assert_eq!(p.start_per_recipient, domain.start_per_recipient);
    assert_eq!(p.failures_per_recipient, domain.failures_per_recipient);
    assert_eq!(
        r.http,
        sesame_http::HttpConfig {
            cors_allowed_origins: r.clients[0].web_origins.clone(),
            ..sesame_http::HttpConfig::default()
        }
    );
    let store = &r.settings.store;
    assert_eq!(
        store.url.expose_secret(),
        sesame_store_sqlite::SqliteConfig::DEFAULT_URL
    );
    assert_eq!(
        store.sqlite("x.db"),
        sesame_store_sqlite::SqliteConfig::file("x.db")
    );
    let pg = sesame_store_postgres::PgConfig::new(store.url.expose_secret());
    assert_eq!(format!("{:?}", store.postgres()), format!("{pg:?}"));
}

#[test]
fn store_keys_reach_the_chosen_adapter_in_its_units() {
    let s = from_toml(
        "[store]\nurl = \"postgres://db/s\"\nmax_connections = 3\nacquire_timeout_secs = 2\n\
         busy_timeout_ms = 7\nstatement_timeout_ms = 9\noperation_timeout_ms = 11\n",
    )
    .unwrap();
    let lite = s.store.sqlite("x.db");
    assert_eq!(
        (
            lite.max_connections,
            lite.acquire_timeout_ms,
            lite.busy_timeout_ms
        ),
        (3, 2_000, 7)
    );
    let pg = s.store.postgres();
    assert_eq!(pg.url.expose_secret(), "postgres://db/s");
    assert_eq!(
        (
            pg.max_connections,
            pg.acquire_timeout_secs,
            pg.statement_timeout_ms
        ),
        (3, 2, 9)
    );
    assert_eq!(pg.operation_timeout_ms, 11);
}

#[test]
fn the_client_ip_keys_become_the_http_adapters_source() {
    let r = resolve(
        from_toml("[http]\nclient_ip = \"x-forwarded-for\"\ntrusted_proxy_hops = 2\n").unwrap(),
    )
    .unwrap();
    assert_eq!(
        r.http.client_ip,
        sesame_http::ClientIpSource::XForwardedFor {
            trusted_proxy_hops: std::num::NonZeroUsize::new(2).unwrap()
        }
    );
    let r = resolve(from_toml("[http]\ntrusted_proxy_hops = 0\n").unwrap()).unwrap();
    assert_eq!(r.http.client_ip, sesame_http::ClientIpSource::Peer);
}

#[test]
fn a_cache_section_is_the_redis_adapters_own_and_needs_a_url() {
    let s = from_toml("[cache]\nurl = \"redis://cache:6380\"\nkey_prefix = \"x:\"\n").unwrap();
    let cache = s.cache.unwrap();
    assert_eq!(
        cache.url.as_ref().map(|u| u.expose_secret()),
        Some("redis://cache:6380")
    );
    assert_eq!(cache.key_prefix, "x:");
    assert_eq!(
        cache.response_timeout_ms,
        sesame_store_redis::RedisConfig::default().response_timeout_ms
    );
    let err = from_toml("[cache]\nkey_prefix = \"x:\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cache: missing field `url`"), "{err}");
    let err = from_toml("[cache]\nurl = \"redis://c\"\nkey_prefx = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cache.key_prefx: unknown field"), "{err}");
}

#[test]
fn a_cache_section_may_name_cluster_seeds_instead_but_not_both() {
    let s = from_toml("[cache]\ncluster = [\"redis://a:7000\", \"redis://b:7001\"]\n").unwrap();
    let cache = s.cache.unwrap();
    assert!(cache.is_cluster());
    assert_eq!(cache.cluster.len(), 2);
    assert!(cache.url.is_none());
    let err = from_toml("[cache]\nurl = \"redis://a:6379\"\ncluster = [\"redis://a:7000\"]\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cache: "), "{err}");
    assert!(err.contains("`url`") && err.contains("`cluster`"), "{err}");
}

#[test]
#[expect(
    clippy::result_large_err,
    reason = "figment's Jail API fixes the closure's error type"
)]
fn a_cache_url_from_the_environment_counts() {
    let f = file("[cache]\nkey_prefix = \"x:\"\n");
    figment::Jail::expect_with(|jail| {
        jail.set_env("SESAME__CACHE__URL", "redis://from-env:6379");
        let s = load(Some(f.path())).map_err(|e| e.to_string())?;
        let cache = s.cache.ok_or("no cache")?;
        assert_eq!(
            cache.url.as_ref().map(|u| u.expose_secret()),
            Some("redis://from-env:6379")
        );
        Ok(())
    });
}

#[test]
fn dpop_keys_reach_the_domain_and_refuse_bad_values() {
    let r = resolve(from_toml("").unwrap()).unwrap();
    assert_eq!(r.passwordless.dpop, sesame_domain::DpopConfig::default());
    let r = resolve(
        from_toml(
            "[dpop]\niat_window_secs = 30\nnonce_window_secs = 120\nrequire_nonce = \"always\"\n\
             [[clients]]\nclient_id = \"spa\"\nrequire_dpop = true\n",
        )
        .unwrap(),
    )
    .unwrap();
    let d = r.passwordless.dpop;
    assert_eq!(d.iat_window, std::time::Duration::from_secs(30));
    assert_eq!(d.nonce_window, std::time::Duration::from_secs(120));
    assert_eq!(d.require_nonce, sesame_domain::NonceRule::Always);
    assert!(r.clients[0].require_dpop);
    let err = first_error("[dpop]\nrequire_nonce = \"sometimes\"\n");
    assert!(err.contains("require_nonce"), "{err}");
    let err = first_error("[dpop]\niat_window_secs = 0\n");
    assert!(err.starts_with("dpop.iat_window_secs: "), "{err}");
}

#[test]
fn mfa_keys_reach_the_domain_and_add_the_mfa_grants_to_default_clients() {
    use sesame_domain::GrantType;
    use sesame_domain::mfa::{Factor, MfaPolicy};
    let r = resolve(from_toml("").unwrap()).unwrap();
    assert_eq!(r.passwordless.mfa, sesame_domain::mfa::MfaConfig::default());
    assert!(!r.clients[0].grant_types.contains(&GrantType::MfaOtp));
    let r = resolve(
        from_toml(
            "[mfa]\nrequire = \"enrolled\"\nfactors = [\"otp\", \"recovery-code\"]\n\
             issuer_name = \"Acme\"\ntoken_ttl_secs = 300\n\
             [[clients]]\nclient_id = \"web\"\n\
             [[clients]]\nclient_id = \"strict\"\nmfa = \"always\"\n\
             grant_types = [\"http://auth0.com/oauth/grant-type/mfa-otp\"]\n",
        )
        .unwrap(),
    )
    .unwrap();
    let m = &r.passwordless.mfa;
    assert_eq!(m.require, MfaPolicy::Enrolled);
    assert_eq!(m.factors, vec![Factor::Otp, Factor::RecoveryCode]);
    assert_eq!(m.issuer_name.as_deref(), Some("Acme"));
    assert_eq!(m.token_ttl, std::time::Duration::from_secs(300));
    assert!(
        r.clients[0]
            .grant_types
            .contains(&GrantType::MfaRecoveryCode)
    );
    assert_eq!(r.clients[0].mfa, None);
    assert_eq!(r.clients[1].mfa, Some(MfaPolicy::Always));
    assert_eq!(r.clients[1].grant_types, vec![GrantType::MfaOtp]);
    let err = first_error("[mfa]\nrequire = \"sometimes\"\n");
    assert!(err.contains("require"), "{err}");
    let err = first_error("[mfa]\nfactors = [\"push\"]\n");
    assert!(err.contains("factors"), "{err}");
    let err = first_error("[mfa]\ntoken_ttl_secs = 0\n");
    assert!(err.starts_with("mfa.token_ttl_secs: "), "{err}");
}

#[test]
fn api_grants_name_a_configured_api_or_the_management_api_and_its_scopes() {
    use sesame_domain::GrantType;
    let base = "issuer = \"https://auth.example.com/\"\n\
                [[apis]]\nidentifier = \"https://api.example.com/\"\nscopes = [\"read:messages\"]\n";
    let client = "[[clients]]\nclient_id = \"backend\"\nclient_secret = \"a secret of enough length\"\n\
                  grant_types = [\"client_credentials\"]\n";
    let r = resolve(
        from_toml(&format!(
            "{base}{client}\
             [[clients.api_grants]]\naudience = \"https://api.example.com/\"\nscopes = [\"read:messages\"]\n\
             [[clients.api_grants]]\naudience = \"https://auth.example.com/api/v2/\"\nscopes = [\"read:users\"]\n"
        ))
        .unwrap(),
    )
    .unwrap();
    let c = &r.clients[0];
    assert_eq!(c.grant_types, vec![GrantType::ClientCredentials]);
    assert_eq!(c.api_grants.len(), 2);
    assert_eq!(c.api_grants[1].scopes, vec!["read:users".to_owned()]);

    let err = first_error(&format!(
        "{base}{client}[[clients.api_grants]]\naudience = \"https://other.example/\"\n"
    ));
    assert!(
        err.starts_with("clients[0].api_grants[0].audience: "),
        "{err}"
    );
    let err = first_error(&format!(
        "{base}{client}[[clients.api_grants]]\naudience = \"https://api.example.com/\"\nscopes = [\"write:all\"]\n"
    ));
    assert!(
        err.starts_with("clients[0].api_grants[0].scopes: "),
        "{err}"
    );
    let err = first_error(&format!(
        "{base}[[clients]]\nclient_id = \"spa\"\ngrant_types = [\"client_credentials\"]\n"
    ));
    assert!(err.starts_with("clients[0].grant_types: "), "{err}");
    assert!(err.contains("\"spa\""), "the error names the client: {err}");
}

#[test]
fn test_identities_reach_the_domain_and_bad_ones_stop_the_server() {
    let r = resolve(
        from_toml(
            "[[test_identities]]\nrecipient = \"+15555550100\"\ncode = \"424242\"\nexpires = 2099-06-30\n\
             [[test_identities]]\nrecipient = \"reviewer@apps.test\"\ncode = \"123456\"\n\
             expires = 2099-06-30T12:00:00Z\n\
             [[test_identities]]\nrecipient = \"qa@gmail.com\"\ncode = \"000000\"\n\
             expires = 2099-01-01\nallow_any = true\n",
        )
        .unwrap(),
    )
    .unwrap();
    let t = &r.passwordless.test_identities;
    assert_eq!(t.len(), 3);
    assert_eq!(t[0].recipient.as_str(), "+15555550100");
    assert_eq!(t[0].code.expose(), "424242");
    // 2099-07-01T00:00:00Z: the code works through its date.
    assert_eq!(t[0].expires_at.unix_seconds(), 4_086_547_200);
    assert_eq!(t[1].expires_at.unix_seconds(), 4_086_504_000);

    let err = first_error(
        "[[test_identities]]\nrecipient = \"+15555550100\"\ncode = \"424242\"\nexpires = 2020-01-01\n",
    );
    assert!(err.starts_with("test_identities[0].expires: "), "{err}");
    assert!(err.contains("has passed"), "{err}");
    let err = first_error(
        "[[test_identities]]\nrecipient = \"jane@gmail.com\"\ncode = \"424242\"\nexpires = 2099-01-01\n",
    );
    assert!(err.starts_with("test_identities[0].recipient: "), "{err}");
    assert!(err.contains("allow_any"), "{err}");
    let err = first_error(
        "[[test_identities]]\nrecipient = \"qa@example.com\"\ncode = \"4242\"\nexpires = 2099-01-01\n",
    );
    assert!(err.starts_with("test_identities[0].code: "), "{err}");
    let err = first_error(
        "[[test_identities]]\nrecipient = \"qa@example.com\"\ncode = \"424242\"\nexpires = \"soon\"\n",
    );
    assert!(err.contains("test_identities"), "{err}");
}
