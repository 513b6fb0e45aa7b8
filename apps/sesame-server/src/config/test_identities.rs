//! `[[test_identities]]`: fixed codes for app-store review accounts. Each
//! is refused at startup once its date has passed, and unless its
//! recipient is in a reserved test range (NANP fictional numbers
//! `+1NPA55501XX`; `example.com`, `example.net`, `example.org`, `*.test`)
//! or it says `allow_any = true`.

use std::time::SystemTime;

use secrecy::ExposeSecret as _;
use sesame_domain::service::TestIdentity;
use sesame_domain::{CodeLength, EmailAddress, Otp, PhoneNumber, Recipient, Timestamp};

use super::ConfigError;
use super::settings::TestIdentitySettings;

/// The domains reserved for examples and tests (RFC 2606, RFC 6761).
const TEST_DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];

/// Checks every entry and builds the domain's test identities.
pub(super) fn resolve(
    entries: &[TestIdentitySettings],
    code_length: CodeLength,
) -> Result<Vec<TestIdentity>, ConfigError> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    entries
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let key = |k: &str| format!("test_identities[{i}].{k}");
            let recipient =
                recipient(&t.recipient).map_err(|e| ConfigError::value(key("recipient"), e))?;
            if !t.allow_any && !reserved(&recipient) {
                return Err(ConfigError::value(
                    key("recipient"),
                    "not in a reserved test range (+1NPA55501XX numbers; example.com, example.net, \
                     example.org or *.test addresses): use one, or set allow_any = true",
                ));
            }
            let code = t.code.expose_secret();
            if code.len() != usize::from(code_length.digits())
                || !code.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(ConfigError::value(
                    key("code"),
                    format!("must be {} digits, as every code is", code_length.digits()),
                ));
            }
            let expires_at =
                instant(&t.expires).map_err(|e| ConfigError::value(key("expires"), e))?;
            if expires_at.unix_seconds() <= now {
                return Err(ConfigError::value(
                    key("expires"),
                    format!(
                        "{} has passed: remove the entry or move its date",
                        t.expires
                    ),
                ));
            }
            Ok(TestIdentity {
                recipient,
                code: Otp::new(code),
                expires_at,
            })
        })
        .collect()
}

fn recipient(raw: &str) -> Result<Recipient, String> {
    if raw.contains('@') {
        EmailAddress::parse(raw)
            .map(Recipient::Email)
            .map_err(|e| e.to_string())
    } else {
        PhoneNumber::parse(raw)
            .map(Recipient::Sms)
            .map_err(|e| e.to_string())
    }
}

/// Whether `r` is in a range no real person can hold.
fn reserved(r: &Recipient) -> bool {
    match r {
        Recipient::Sms(p) => {
            // +1 NPA 555 01XX: 13 characters, the exchange 555, the line 01XX.
            let s = p.as_str();
            s.len() == 12 && s.starts_with("+1") && &s[5..10] == "55501"
        }
        Recipient::Email(e) => {
            let domain = e.as_str().rsplit_once('@').map_or("", |(_, d)| d);
            TEST_DOMAINS
                .iter()
                .any(|t| domain == *t || domain.ends_with(&format!(".{t}")))
                || domain.ends_with(".test")
        }
    }
}

/// A TOML date as the end of that day in UTC (the code works through the
/// date), or a date-time as that instant (UTC when it has no offset).
fn instant(d: &toml::value::Datetime) -> Result<Timestamp, String> {
    let date = d
        .date
        .ok_or("must be a date or a date-time, not a bare time")?;
    let month = time::Month::try_from(date.month).map_err(|e| e.to_string())?;
    let day = time::Date::from_calendar_date(i32::from(date.year), month, date.day)
        .map_err(|e| e.to_string())?;
    let (at, offset_minutes) = match d.time {
        None => (day.next_day().ok_or("date out of range")?.midnight(), 0),
        Some(t) => {
            let at = time::Time::from_hms(t.hour, t.minute, t.second).map_err(|e| e.to_string())?;
            let offset = match d.offset {
                Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
                Some(toml::value::Offset::Z) | None => 0,
            };
            (day.with_time(at), offset)
        }
    };
    Ok(Timestamp::from_unix_seconds(
        at.assume_utc().unix_timestamp() - offset_minutes * 60,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> toml::value::Datetime {
        s.parse().unwrap()
    }

    #[test]
    fn a_date_lasts_through_its_day_and_a_date_time_is_its_instant() {
        assert_eq!(
            instant(&dt("1970-01-01")).unwrap(),
            Timestamp::from_unix_seconds(86_400)
        );
        assert_eq!(
            instant(&dt("1970-01-02T00:00:10Z")).unwrap(),
            Timestamp::from_unix_seconds(86_410)
        );
        assert_eq!(
            instant(&dt("1970-01-02T01:00:00+01:00")).unwrap(),
            Timestamp::from_unix_seconds(86_400)
        );
        assert!(instant(&dt("10:00:00")).is_err());
    }

    #[test]
    fn only_fictional_numbers_and_reserved_domains_are_test_ranges() {
        let ok = [
            "+15555550100",
            "+12125550199",
            "qa@example.com",
            "a@b.example.org",
            "x@apps.test",
        ];
        for r in ok {
            assert!(reserved(&recipient(r).unwrap()), "{r}");
        }
        let not = [
            "+15555550200",
            "+14155551234",
            "jane@gmail.com",
            "x@example.co",
            "x@test.com",
        ];
        for r in not {
            assert!(!reserved(&recipient(r).unwrap()), "{r}");
        }
    }
}
