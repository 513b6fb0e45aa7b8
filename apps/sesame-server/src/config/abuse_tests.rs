//! `[sms_guard]`, the new `[rate_limits]` keys and `[cache] allow_eviction`:
//! defaults, values reaching the domain and the edge, refusals naming the
//! key.

use std::time::Duration;

use super::*;

fn resolved(toml: &str) -> Resolved {
    resolve(from_toml(toml).unwrap()).unwrap()
}

fn refused(toml: &str) -> String {
    match from_toml(toml) {
        Ok(s) => resolve(s).unwrap_err().to_string(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_abuse_limits_default_to_the_documented_values() {
    let r = resolved("");
    let p = &r.passwordless;
    assert!(p.sms_guard.allowed_countries.is_empty());
    assert_eq!(p.sms_guard.per_prefix.limit, 30);
    assert_eq!(p.sms_guard.global.limit, 1000);
    assert_eq!(p.sms_guard.per_prefix.window, Duration::from_secs(3600));
    assert!((p.sms_guard.min_conversion - 0.2).abs() < f64::EPSILON);
    assert_eq!(p.sms_guard.conversion_min_sent, 20);
    assert_eq!(p.failures_per_ip.limit, 100);
    assert_eq!(p.failures_per_ip.window, Duration::from_secs(3600));
    assert_eq!(p.ipv6_prefix_len.bits(), 64);
    assert_eq!(r.http.requests_per_ip_per_second, 20);
    assert_eq!(r.http.requests_per_ip_burst, 50);
    assert_eq!(r.http.ipv6_prefix_len.bits(), 64);
    assert!(!r.settings.cache.is_some_and(|c| c.allow_eviction));
}

#[test]
fn every_abuse_key_reaches_the_domain_and_the_edge() {
    let r = resolved(
        r#"
[rate_limits]
failures_per_ip_per_hour = 7
requests_per_ip_per_second = 3
requests_per_ip_burst = 9
ipv6_prefix_len = 56

[sms_guard]
allowed_countries = ["gb", "FR"]
per_prefix_per_hour = 4
global_per_hour = 40
min_conversion = 0.5
conversion_min_sent = 10

[cache]
url = "redis://127.0.0.1:6379"
allow_eviction = true
"#,
    );
    let p = &r.passwordless;
    let countries: Vec<&str> = p
        .sms_guard
        .allowed_countries
        .iter()
        .map(sesame_domain::CountryCode::as_str)
        .collect();
    assert_eq!(countries, ["GB", "FR"]);
    assert_eq!(
        (p.sms_guard.per_prefix.limit, p.sms_guard.global.limit),
        (4, 40)
    );
    assert!((p.sms_guard.min_conversion - 0.5).abs() < f64::EPSILON);
    assert_eq!(p.sms_guard.conversion_min_sent, 10);
    assert_eq!(p.failures_per_ip.limit, 7);
    assert_eq!(p.ipv6_prefix_len.bits(), 56);
    assert_eq!(
        (
            r.http.requests_per_ip_per_second,
            r.http.requests_per_ip_burst,
            r.http.ipv6_prefix_len.bits()
        ),
        (3, 9, 56)
    );
    assert!(r.settings.cache.is_some_and(|c| c.allow_eviction));
}

#[test]
fn bad_abuse_values_are_refused_naming_the_key() {
    for (toml, key) in [
        (
            "[sms_guard]\nallowed_countries = [\"XX\"]",
            "sms_guard.allowed_countries[0]",
        ),
        (
            "[sms_guard]\nper_prefix_per_hour = 0",
            "sms_guard.per_prefix_per_hour",
        ),
        (
            "[sms_guard]\nglobal_per_hour = 0",
            "sms_guard.global_per_hour",
        ),
        (
            "[sms_guard]\nmin_conversion = 1.5",
            "sms_guard.min_conversion",
        ),
        ("[sms_guard]\nper_prefx_per_hour = 3", "per_prefx_per_hour"),
        (
            "[rate_limits]\nipv6_prefix_len = 0",
            "rate_limits.ipv6_prefix_len",
        ),
        (
            "[rate_limits]\nipv6_prefix_len = 129",
            "rate_limits.ipv6_prefix_len",
        ),
        (
            "[rate_limits]\nrequests_per_ip_per_second = 0",
            "rate_limits.requests_per_ip_per_second",
        ),
        (
            "[rate_limits]\nrequests_per_ip_burst = 0",
            "rate_limits.requests_per_ip_burst",
        ),
        (
            "[rate_limits]\nfailures_per_ip_per_hour = 0",
            "rate_limits.failures_per_ip_per_hour",
        ),
    ] {
        let err = refused(toml);
        assert!(err.contains(key), "{toml}: {err}");
    }
}
