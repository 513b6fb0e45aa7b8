//! The bodies of a batch's POSTs, laid out as Auth0's HTTP log streams
//! send them: each event is the entry `{"log_id": "…", "data": {…}}`, with
//! `data` being [`LogEvent::auth0_json`].

use serde_json::{Value, json};
use sesame_domain::LogEvent;

use crate::config::StreamFormat;

/// One POST's body and how many events it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Body {
    /// The bytes to send.
    pub(crate) bytes: Vec<u8>,
    /// The events in it, counted as dropped if it is never delivered.
    pub(crate) events: u64,
}

/// One event as a log stream entry.
pub(crate) fn entry(event: &LogEvent) -> Value {
    json!({ "log_id": event.log_id, "data": event.auth0_json() })
}

/// The POSTs that carry `batch` in `format`: one for `jsonlines` and
/// `jsonarray`, one per event for `jsonobject`. None for an empty batch.
pub(crate) fn bodies(format: StreamFormat, batch: &[LogEvent]) -> Vec<Body> {
    if batch.is_empty() {
        return Vec::new();
    }
    let events = u64::try_from(batch.len()).unwrap_or(u64::MAX);
    match format {
        StreamFormat::JsonLines => {
            let mut text = String::new();
            for event in batch {
                text.push_str(&entry(event).to_string());
                text.push('\n');
            }
            vec![Body {
                bytes: text.into_bytes(),
                events,
            }]
        }
        StreamFormat::JsonArray => {
            let array = Value::Array(batch.iter().map(entry).collect());
            vec![Body {
                bytes: array.to_string().into_bytes(),
                events,
            }]
        }
        StreamFormat::JsonObject => batch
            .iter()
            .map(|event| Body {
                bytes: entry(event).to_string().into_bytes(),
                events: 1,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sesame_domain::{EventType, Timestamp};

    use super::*;

    fn event(id: &str) -> LogEvent {
        LogEvent {
            log_id: id.to_owned(),
            date: Timestamp::from_unix_millis(1_700_000_000_000),
            kind: EventType::Success,
            description: "Successful login".to_owned(),
            client_id: Some("client-abc".to_owned()),
            ip: None,
            user_agent: None,
            user_id: Some("email|1".to_owned()),
            connection: Some("email".to_owned()),
            details: BTreeMap::new(),
        }
    }

    #[test]
    fn json_lines_puts_one_entry_on_each_line() {
        let batch = [event("a"), event("b")];
        let bodies = bodies(StreamFormat::JsonLines, &batch);
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0].events, 2);
        let text = String::from_utf8(bodies[0].bytes.clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(text.ends_with('\n'));
        assert_eq!(lines, [entry(&batch[0]), entry(&batch[1])]);
        assert_eq!(lines[1]["log_id"], "b");
        assert_eq!(lines[1]["data"], batch[1].auth0_json());
    }

    #[test]
    fn json_array_is_one_array_and_json_object_is_one_body_per_event() {
        let batch = [event("a"), event("b")];
        let array = bodies(StreamFormat::JsonArray, &batch);
        let parsed: Value = serde_json::from_slice(&array[0].bytes).unwrap();
        assert_eq!(parsed, json!([entry(&batch[0]), entry(&batch[1])]));

        let objects = bodies(StreamFormat::JsonObject, &batch);
        assert_eq!(objects.len(), 2);
        for (body, event) in objects.iter().zip(&batch) {
            assert_eq!(body.events, 1);
            let parsed: Value = serde_json::from_slice(&body.bytes).unwrap();
            assert_eq!(parsed, entry(event));
        }
    }

    #[test]
    fn an_empty_batch_sends_nothing() {
        assert!(bodies(StreamFormat::JsonArray, &[]).is_empty());
    }
}
