//! The login steps: one command each on a single Redis (counted by a proxy
//! that reads the requests), and what corrupt counters and challenges do
//! to them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sesame_domain::ports::{ChallengeStore, RateLimiter, Settlement, StepStore, StoreError};
use sesame_domain::rate_limit::{RateKey, RateLimit, Reservation};
use sesame_domain::time::Timestamp;
use sesame_store_redis::RedisConfig;
use sesame_testkit::fixtures::{fresh_challenge, fresh_email, real_now};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::scope::{Scope, redis_url};
use crate::support::{cmd, full_challenge, keys_under};

fn hour(limit: u32) -> RateLimit {
    RateLimit::new(limit, Duration::from_secs(3_600))
}

/// The name of `key`'s counter under `rule` at `now` in `scope`.
fn counter(scope: &Scope, key: &str, rule: RateLimit, now: Timestamp) -> String {
    let w = rule.window_at(now);
    format!(
        "{}rl:{}:{}:{key}",
        scope.config.key_prefix, w.length_ms, w.index
    )
}

/// A TCP proxy in front of the test Redis that records the name of every
/// command a client sends through it.
struct CountingProxy {
    port: u16,
    verbs: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl CountingProxy {
    async fn start() -> Self {
        let target = url::Url::parse(&redis_url()).unwrap();
        let upstream = format!(
            "{}:{}",
            target.host_str().unwrap(),
            target.port().unwrap_or(6379)
        );
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let verbs = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&verbs);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(&upstream).await.unwrap();
                let (mut client_rx, mut client_tx) = client.into_split();
                let (mut server_rx, mut server_tx) = server.into_split();
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let mut pending = Vec::new();
                    let mut buf = vec![0_u8; 16 * 1024];
                    loop {
                        let n = match client_rx.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        // Recorded before forwarding, so a command is
                        // counted by the time its reply can arrive.
                        pending.extend_from_slice(&buf[..n]);
                        while let Some((verb, used)) = next_command(&pending) {
                            pending.drain(..used);
                            seen.lock().unwrap().push(verb);
                        }
                        if server_tx.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                });
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut server_rx, &mut client_tx).await;
                });
            }
        });
        Self { port, verbs, task }
    }

    fn url(&self) -> String {
        let mut url = url::Url::parse(&redis_url()).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.port)).unwrap();
        url.to_string()
    }

    /// The commands sent since the last call.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.verbs.lock().unwrap())
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The first complete RESP command in `buf` (an array of bulk strings, as
/// redis-rs sends them): its name in upper case and its length in bytes.
fn next_command(buf: &[u8]) -> Option<(String, usize)> {
    let (args, mut at) = header(buf, 0, b'*')?;
    let mut verb = String::new();
    for i in 0..args {
        let (len, start) = header(buf, at, b'$')?;
        let end = start + len;
        if buf.len() < end + 2 {
            return None;
        }
        if i == 0 {
            verb = String::from_utf8_lossy(&buf[start..end]).to_uppercase();
        }
        at = end + 2;
    }
    Some((verb, at))
}

/// The number on the `tag` line at `at`, and where the line ends.
fn header(buf: &[u8], at: usize, tag: u8) -> Option<(usize, usize)> {
    let rest = buf.get(at..)?;
    let eol = rest.windows(2).position(|w| w == b"\r\n")?;
    assert_eq!(rest[0], tag, "not a RESP command: {rest:?}");
    let n = std::str::from_utf8(&rest[1..eol]).unwrap().parse().unwrap();
    Some((n, at + eol + 2))
}

#[test]
fn the_proxy_reads_commands_split_anywhere() {
    let two = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n";
    assert_eq!(next_command(two), Some(("GET".to_owned(), 20)));
    assert_eq!(next_command(&two[20..]), Some(("PING".to_owned(), 14)));
    for cut in 0..20 {
        assert_eq!(next_command(&two[..cut]), None, "cut at {cut}");
    }
}

/// Each step with counters, after its script is cached on the Redis (the
/// first call of a script may cost a second command, `EVAL` after
/// `NOSCRIPT`), is one command: one round trip.
#[tokio::test]
async fn each_step_is_one_command_on_a_single_redis() {
    let proxy = CountingProxy::start().await;
    let scope = Scope::on(RedisConfig::new(proxy.url()), vec![redis_url()]);
    let store = scope.store().await;
    let now = real_now();
    let (ip, rcpt, fails, streak) = ("ip", "rcpt", "fails", "streak");
    let start = [RateKey::new(ip, hour(100)), RateKey::new(rcpt, hour(100))];
    let need = [RateKey::new(streak, hour(100))];
    let take = [RateKey::new(fails, hour(100))];
    let release = [RateKey::new(fails, hour(100))];
    let reset = [RateKey::new(streak, hour(100))];
    let won = Settlement {
        release: &release,
        reset: &reset,
    };
    let lost = Settlement {
        release: &[],
        reset: &[],
    };
    for round in 0..2 {
        let ch = full_challenge(fresh_email(), now);
        let key = ch.key();
        proxy.take();
        let admitted = store.admit_challenge(&start, &ch, now).await.unwrap();
        assert!(matches!(admitted, Reservation::Taken(_)));
        let admit = proxy.take();
        let (reserved, read) = store
            .reserve_and_read(&take, &need, &key, now)
            .await
            .unwrap();
        assert!(matches!(reserved, Reservation::Taken(_)));
        assert_eq!(read.as_ref(), Some(&ch));
        let reserve = proxy.take();
        assert!(
            store
                .consume_and_settle(&key, &ch.id, now, won, lost)
                .await
                .unwrap()
        );
        let consume = proxy.take();
        if round == 1 {
            assert_eq!(admit, ["EVALSHA"], "admit_challenge");
            assert_eq!(reserve, ["EVALSHA"], "reserve_and_read");
            assert_eq!(consume, ["EVALSHA"], "consume_and_settle");
        }
    }
    assert_eq!(
        store.peek(fails, hour(100), now).await.unwrap().remaining,
        100,
        "each round took a unit of the failure budget and gave it back"
    );
    scope.cleanup().await;
}

/// A won counter that is not a count (a string, or a key of another type)
/// leaves every counter alone but neither undoes the flip nor turns it
/// into an error; a lost one neither.
#[tokio::test]
async fn a_counter_that_is_not_a_count_neither_undoes_nor_hides_the_flip() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    let rule = hour(10);
    store.reserve("streak", rule, now).await.unwrap();
    store.reserve("lost", rule, now).await.unwrap();
    cmd::<String>(&["SET", &counter(&scope, "text", rule, now), "x"]).await;
    cmd::<i64>(&["HSET", &counter(&scope, "hash", rule, now), "f", "1"]).await;
    let reset = [RateKey::new("streak", rule)];
    let lost_release = [RateKey::new("lost", rule)];
    let lost = Settlement {
        release: &lost_release,
        reset: &[],
    };
    for corrupt in ["text", "hash"] {
        let release = [RateKey::new(corrupt, rule)];
        let won = Settlement {
            release: &release,
            reset: &reset,
        };
        let flipped = store
            .consume_and_settle(&ch.key(), &ch.id, now, won, lost)
            .await;
        if corrupt == "text" {
            assert!(matches!(flipped, Ok(true)), "{flipped:?}");
        } else {
            // Already consumed: `lost` is settled, and the won counter
            // that is a hash is not looked at.
            assert!(matches!(flipped, Ok(false)), "{flipped:?}");
        }
    }
    assert!(store.latest(&ch.key()).await.unwrap().unwrap().consumed);
    assert_eq!(
        store.peek("streak", rule, now).await.unwrap().remaining,
        9,
        "a settlement with a corrupt counter started another one over"
    );
    assert_eq!(store.peek("lost", rule, now).await.unwrap().remaining, 10);

    let next = fresh_challenge(fresh_email(), now);
    store.put(&next).await.unwrap();
    let release = [RateKey::new("hash", rule)];
    let won = Settlement {
        release: &release,
        reset: &reset,
    };
    let flipped = store
        .consume_and_settle(&next.key(), &next.id, now, won, lost)
        .await;
    assert!(
        matches!(flipped, Ok(true)),
        "a WRONGTYPE counter: {flipped:?}"
    );
    assert!(store.latest(&next.key()).await.unwrap().unwrap().consumed);
    assert_eq!(store.peek("streak", rule, now).await.unwrap().remaining, 9);
    scope.cleanup().await;
}

/// A challenge whose state does not decode is corrupt, as for `consume`,
/// and settles nothing.
#[tokio::test]
async fn a_challenge_that_does_not_decode_is_corrupt_and_settles_nothing() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    let hash = keys_under(&scope.config.key_prefix).await.remove(0);
    cmd::<i64>(&["HSET", &hash, "consumed", "maybe"]).await;
    let rule = hour(10);
    store.reserve("lost", rule, now).await.unwrap();
    let release = [RateKey::new("lost", rule)];
    let s = Settlement {
        release: &release,
        reset: &release,
    };
    assert!(matches!(
        store.consume_and_settle(&ch.key(), &ch.id, now, s, s).await,
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(store.peek("lost", rule, now).await.unwrap().remaining, 9);
    scope.cleanup().await;
}

/// A refused start writes no key at all; an admitted one writes its hash
/// with the time to live `put` gives it.
#[tokio::test]
async fn a_refused_start_writes_nothing_and_an_admitted_one_expires_as_put_does() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    let refused = store
        .admit_challenge(&[RateKey::new("zero", hour(0))], &ch, now)
        .await
        .unwrap();
    assert!(matches!(refused, Reservation::Refused { .. }));
    assert!(keys_under(&scope.config.key_prefix).await.is_empty());

    let admitted = store
        .admit_challenge(&[RateKey::new("one", hour(1))], &ch, now)
        .await
        .unwrap();
    assert!(matches!(admitted, Reservation::Taken(_)));
    store
        .put(&fresh_challenge(fresh_email(), now))
        .await
        .unwrap();
    let hashes: Vec<String> = keys_under(&scope.config.key_prefix)
        .await
        .into_iter()
        .filter(|k| k.contains("ch:{"))
        .collect();
    assert_eq!(hashes.len(), 2, "{hashes:?}");
    let ttl0: i64 = cmd(&["PTTL", &hashes[0]]).await;
    let ttl1: i64 = cmd(&["PTTL", &hashes[1]]).await;
    assert!(
        ttl0 > 0 && (ttl0 - ttl1).abs() < 10_000,
        "PTTL {ttl0} vs {ttl1}"
    );
    scope.cleanup().await;
}
