use std::io::Write as _;

use secrecy::ExposeSecret as _;

use super::*;

fn file(contents: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(contents.as_bytes()).unwrap();
    f
}

fn no_env() -> Env {
    Env::prefixed("SESAME_TEST_NOTHING_SET__").split("__")
}

#[test]
fn with_no_configuration_at_all_the_defaults_are_sqlite_and_console() {
    let s = load_with_env(None, no_env()).unwrap();
    assert_eq!(s.http.listen, "127.0.0.1:3000");
    assert_eq!(s.store.url.expose_secret(), "sqlite://sesame.db");
    assert_eq!(s.email.provider, EmailProvider::Console);
    assert_eq!(s.sms.provider, SmsProvider::Console);
    assert_eq!(s.passwordless.code_ttl_secs, 180);
    assert!(s.clients.is_empty());
}

#[test]
fn an_unknown_key_is_an_error_that_names_it() {
    let f = file("[passwordless]\ncode_lenght = 8\n");
    let err = load_with_env(Some(f.path()), no_env())
        .unwrap_err()
        .to_string();
    assert!(err.contains("code_lenght"), "{err}");
}

#[test]
fn an_unknown_top_level_key_is_an_error_too() {
    let f = file("isuer = \"http://x.example.com/\"\n");
    let err = load_with_env(Some(f.path()), no_env())
        .unwrap_err()
        .to_string();
    assert!(err.contains("isuer"), "{err}");
}

#[test]
fn a_missing_config_file_is_an_error() {
    let err = load_with_env(Some(Path::new("/nonexistent/sesame.toml")), no_env()).unwrap_err();
    assert!(matches!(err, ConfigError::MissingFile(_)));
}

#[test]
#[expect(
    clippy::result_large_err,
    reason = "figment's Jail API fixes the closure's error type"
)]
fn environment_variables_override_the_file() {
    let f = file("[http]\nlisten = \"127.0.0.1:4000\"\n[passwordless]\nmax_attempts = 5\n");
    figment::Jail::expect_with(|jail| {
        jail.set_env("SESAME__HTTP__LISTEN", "0.0.0.0:8080");
        jail.set_env("SESAME__LOG__FORMAT", "json");
        let s = load(Some(f.path())).map_err(|e| e.to_string())?;
        assert_eq!(s.http.listen, "0.0.0.0:8080");
        assert_eq!(s.passwordless.max_attempts, 5);
        assert_eq!(s.log.format, LogFormat::Json);
        Ok(())
    });
}

#[test]
fn the_full_documented_example_parses() {
    let f = file(include_str!("../../sesame.example.toml"));
    let s = load_with_env(Some(f.path()), no_env()).unwrap();
    assert_eq!(s.clients.len(), 1);
    assert_eq!(s.apis[0].signing_alg, sesame_domain::SigningAlg::RS256);
    let r = resolve(s).unwrap();
    assert_eq!(r.apis[0].scopes, ["read:messages", "write:messages"]);
}

#[test]
fn an_api_defines_the_scopes_it_lists_and_none_without_the_key() {
    let s = from_toml(
        "[[apis]]\nidentifier = \"https://a\"\nscopes = [\"read:messages\", \"admin\"]\n\
         [[apis]]\nidentifier = \"https://b\"\n",
    )
    .unwrap();
    let r = resolve(s).unwrap();
    assert!(r.apis[0].defines("admin") && r.apis[0].defines("read:messages"));
    assert!(r.apis[1].scopes.is_empty());
    for bad in ["read messages", "", "a\\\"b"] {
        let toml = format!("[[apis]]\nidentifier = \"https://a\"\nscopes = [{bad:?}]\n");
        let err = from_toml(&toml).and_then(resolve).unwrap_err().to_string();
        assert!(err.starts_with("apis[0].scopes"), "{bad:?} gave {err}");
    }
}

#[test]
fn delivery_sections_use_the_adapters_own_keys() {
    let s = from_toml(
        "[sms]\nprovider = \"sns\"\n[sms.sns]\nregion = \"eu-west-1\"\nsender_id = \"Sesame\"\n\
         [email]\nprovider = \"webhook\"\n[email.webhook]\nurl = \"https://hooks.example.com/x\"\nsecret = \"0123456789abcdef0123\"\n",
    )
    .unwrap();
    assert_eq!(s.sms.sns.unwrap().region.as_deref(), Some("eu-west-1"));
    assert_eq!(s.email.webhook.unwrap().url, "https://hooks.example.com/x");
    let err = from_toml("[sms.sns]\nregoin = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("regoin"), "{err}");
}

#[test]
fn operational_mistakes_are_caught_before_startup_and_name_their_key() {
    let cases = [
        ("[log]\nformat = \"xml\"\n", "log.format"),
        ("[log]\nlevel = \"info,[\"\n", "log.level"),
        (
            "[http]\nclient_ip = \"cf-connecting-ip\"\n",
            "http.client_ip",
        ),
        (
            "[http]\nclient_ip = \"x-forwarded-for\"\ntrusted_proxy_hops = 0\n",
            "http.trusted_proxy_hops",
        ),
        ("[email]\nprovider = \"smtp\"\n", "email.smtp"),
        ("[email]\nprovider = \"carrier-pigeon\"\n", "email.provider"),
        ("[sms]\nprovider = \"webhook\"\n", "sms.webhook"),
        (
            "[store]\nurl = \"postgres://db.example.com/sesame\"\n",
            "secret",
        ),
        ("secret = \"short\"\n", "secret"),
    ];
    for (toml, key) in cases {
        // Names are refused as the file is parsed, missing sections and
        // out-of-range values by `resolve`: both before anything starts.
        let err = from_toml(toml).and_then(resolve).unwrap_err().to_string();
        assert!(
            err.starts_with(key),
            "{toml:?} gave {err:?}, expected it to name {key}"
        );
    }
}

#[test]
fn a_clients_magic_link_keys_reach_the_domain_and_default_to_the_conservative_choice() {
    let s = from_toml(
        "[[clients]]\nclient_id = \"spa\"\ncallbacks = [\"https://app.example.com/cb\"]\n\
         magic_link = { auto_submit = true, login_uri = \"https://app.example.com/login\" }\n\
         [[clients]]\nclient_id = \"plain\"\n",
    )
    .unwrap();
    let r = resolve(s).unwrap();
    let spa = &r.clients[0].magic_link;
    assert!(spa.auto_submit);
    assert!(!spa.refresh_tokens);
    assert_eq!(
        spa.login_uri.as_deref(),
        Some("https://app.example.com/login")
    );
    assert_eq!(
        r.clients[1].magic_link,
        sesame_domain::MagicLinkSettings::default()
    );
    assert!(
        r.clients[1]
            .grant_types
            .contains(&sesame_domain::GrantType::AuthorizationCode),
        "links work by default, as Auth0's send default is a link"
    );
    assert!(
        !r.clients[1]
            .grant_types
            .contains(&sesame_domain::GrantType::Implicit),
        "tokens in a URL fragment are opt-in"
    );
    assert!(r.passwordless.magic_links);
}

#[test]
fn a_login_uri_must_be_a_web_address_and_magic_links_can_be_switched_off() {
    let s = from_toml(
        "[[clients]]\nclient_id = \"a\"\n[clients.magic_link]\nlogin_uri = \"javascript:alert(1)\"\n",
    )
    .unwrap();
    let err = resolve(s).unwrap_err().to_string();
    assert!(err.starts_with("clients[0].magic_link.login_uri"), "{err}");
    let s = from_toml("[passwordless]\nmagic_links = false\n").unwrap();
    assert!(!resolve(s).unwrap().passwordless.magic_links);
}

#[test]
fn id_tokens_are_rs256_unless_the_default_signing_alg_says_otherwise() {
    let r = resolve(from_toml("").unwrap()).unwrap();
    assert_eq!(
        r.passwordless.default_signing_alg,
        sesame_domain::SigningAlg::RS256
    );
    let s = from_toml("[passwordless]\ndefault_signing_alg = \"ES256\"\n").unwrap();
    assert_eq!(
        resolve(s).unwrap().passwordless.default_signing_alg,
        sesame_domain::SigningAlg::ES256
    );
    let err = from_toml("[passwordless]\ndefault_signing_alg = \"HS256\"\n")
        .and_then(resolve)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("passwordless.default_signing_alg"), "{err}");
}

#[test]
fn a_native_app_whose_custom_scheme_callback_is_not_guarded_by_pkce_is_warned_about() {
    let s = from_toml(
        "[[clients]]\nclient_id = \"ios\"\ncallbacks = [\"com.example.app:/callback\"]\n\
         [[clients]]\nclient_id = \"ios-strict\"\ncallbacks = [\"com.example.app:/callback\"]\n\
         magic_link = { require_pkce = true }\n\
         [[clients]]\nclient_id = \"spa\"\ncallbacks = [\"https://app.example.com/cb\"]\n\
         [[clients]]\nclient_id = \"web\"\nclient_secret = \"0123456789abcdef\"\n\
         callbacks = [\"com.example.web:/cb\"]\n",
    )
    .unwrap();
    let r = resolve(s).unwrap();
    assert!(r.clients[1].magic_link.require_pkce);
    assert!(!r.clients[0].magic_link.require_pkce, "off by default");
    let w = warnings(&r);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("clients[0].magic_link.require_pkce") && w[0].contains("RFC 8252"),
        "{w:?}"
    );
}

#[test]
fn the_lockout_limits_have_their_defaults_and_windows() {
    let r = resolve(from_toml("").unwrap()).unwrap();
    let p = &r.passwordless;
    let limit = |l: sesame_domain::RateLimit| (l.limit, l.window.as_secs());
    assert_eq!(limit(p.start_per_recipient_ip), (5, 900));
    assert_eq!(limit(p.start_per_recipient), (20, 3600));
    assert_eq!(limit(p.failures_per_recipient_ip), (10, 900));
    assert_eq!(limit(p.failures_per_recipient), (100, 86_400));
    assert!(warnings(&r).is_empty(), "{:?}", warnings(&r));
    let r = resolve(
        from_toml(
            "[rate_limits]\nstart_per_recipient_ip_per_15min = 7\nstart_per_recipient_per_hour = 30\n\
             failures_per_recipient_ip_per_15min = 12\nfailures_per_recipient_per_day = 200\n",
        )
        .unwrap(),
    )
    .unwrap();
    let p = &r.passwordless;
    assert_eq!(limit(p.start_per_recipient_ip), (7, 900));
    assert_eq!(limit(p.start_per_recipient), (30, 3600));
    assert_eq!(limit(p.failures_per_recipient_ip), (12, 900));
    assert_eq!(limit(p.failures_per_recipient), (200, 86_400));
}

#[test]
fn the_old_per_recipient_keys_are_accepted_as_aliases_with_a_deprecation_warning() {
    let r = resolve(
        from_toml(
            "[rate_limits]\nstart_per_recipient_per_15min = 3\nfailures_per_recipient_per_15min = 4\n",
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(r.passwordless.start_per_recipient_ip.limit, 3);
    assert_eq!(r.passwordless.failures_per_recipient_ip.limit, 4);
    assert_eq!(
        r.passwordless.start_per_recipient.limit, 20,
        "the alias does not touch the per-recipient limit"
    );
    let w = warnings(&r);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].starts_with("rate_limits.start_per_recipient_per_15min is deprecated")
            && w[0].contains("rate_limits.start_per_recipient_ip_per_15min"),
        "{w:?}"
    );
    assert!(
        w[1].starts_with("rate_limits.failures_per_recipient_per_15min is deprecated")
            && w[1].contains("rate_limits.failures_per_recipient_ip_per_15min"),
        "{w:?}"
    );
}

#[test]
fn an_alias_and_its_new_key_together_are_refused_naming_the_new_key() {
    let err = from_toml(
        "[rate_limits]\nfailures_per_recipient_per_15min = 4\nfailures_per_recipient_ip_per_15min = 5\n",
    )
    .and_then(resolve)
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("rate_limits.failures_per_recipient_ip_per_15min"),
        "{err}"
    );
}
