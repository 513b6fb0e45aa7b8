//! Whether Redis may evict keys: the rate-limit counters, challenges and
//! authorization codes live here, and an evicting `maxmemory-policy`
//! (`allkeys-*`, `volatile-*`) would silently reset them under memory
//! pressure, lifting every limit an attacker is pressing against.
//!
//! Read from `INFO memory` rather than `CONFIG GET`, which managed services
//! often disable.

use redis::Value;
use sesame_domain::ports::StoreError;

use crate::store::RedisStore;

impl RedisStore {
    /// The `maxmemory-policy` of every node answering (one for a single
    /// Redis, one per node of a cluster), as Redis names it
    /// (`noeviction`, `allkeys-lru`, …).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when Redis does not answer.
    pub async fn maxmemory_policies(&self) -> Result<Vec<String>, StoreError> {
        let info: Value = self.query(redis::cmd("INFO").arg("memory")).await?;
        let mut texts = Vec::new();
        collect_text(&info, &mut texts);
        Ok(texts
            .iter()
            .flat_map(|t| t.lines())
            .filter_map(|l| l.trim().strip_prefix("maxmemory_policy:"))
            .map(|p| p.trim().to_owned())
            .collect())
    }
}

/// Whether `policy` lets Redis evict keys that have not expired.
#[must_use]
pub fn is_evicting(policy: &str) -> bool {
    policy.starts_with("allkeys-") || policy.starts_with("volatile-")
}

/// Every text in `v`: a cluster answers `INFO` with one per node.
fn collect_text(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::BulkString(b) => out.push(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => out.push(s.clone()),
        Value::VerbatimString { text, .. } => out.push(text.clone()),
        Value::Array(items) | Value::Set(items) => {
            for i in items {
                collect_text(i, out);
            }
        }
        Value::Map(pairs) => {
            for (_, value) in pairs {
                collect_text(value, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allkeys_and_volatile_policies_evict_and_noeviction_does_not() {
        for p in [
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
        ] {
            assert!(is_evicting(p), "{p}");
        }
        assert!(!is_evicting("noeviction"));
    }

    #[test]
    fn the_policy_is_found_in_every_nodes_info() {
        let node = |p: &str| {
            Value::BulkString(
                format!("# Memory\r\nused_memory:1\r\nmaxmemory_policy:{p}\r\n").into_bytes(),
            )
        };
        let mut out = Vec::new();
        collect_text(
            &Value::Map(vec![
                (Value::SimpleString("a".into()), node("noeviction")),
                (Value::SimpleString("b".into()), node("allkeys-lru")),
            ]),
            &mut out,
        );
        let policies: Vec<&str> = out
            .iter()
            .flat_map(|t| t.lines())
            .filter_map(|l| l.trim().strip_prefix("maxmemory_policy:"))
            .collect();
        assert_eq!(policies, ["noeviction", "allkeys-lru"]);
    }
}
