use super::*;

/// What Redis 7 answers, with its CRLF line ends.
const INFO: &str = "# Commandstats\r\n\
    cmdstat_evalsha:calls=1200,usec=9000,usec_per_call=7.50,rejected_calls=0,failed_calls=0\r\n\
    cmdstat_get:calls=400,usec=400,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n\
    cmdstat_client|setinfo:calls=2,usec=3,usec_per_call=1.50,rejected_calls=0,failed_calls=0\r\n\
    cmdstat_info:calls=5,usec=50,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n\
    \r\n";

#[test]
fn commandstats_give_each_commands_calls() {
    let calls = parse_commandstats(INFO);
    assert_eq!(calls.len(), 4, "{calls:?}");
    assert_eq!(calls["evalsha"], 1200);
    assert_eq!(calls["get"], 400);
    assert_eq!(calls["client|setinfo"], 2);
    assert_eq!(calls["info"], 5);
}

#[test]
fn older_and_malformed_lines_are_read_or_skipped() {
    // Redis 6 has no rejected/failed fields; upper case is folded.
    let calls = parse_commandstats(
        "cmdstat_SET:calls=3,usec=9,usec_per_call=3.00\n\
         cmdstat_del:usec=1\n\
         cmdstat_eval:calls=many\n\
         used_memory:1024\n",
    );
    assert_eq!(calls, CommandCalls::from([("set".to_owned(), 3)]));
    assert!(parse_commandstats("").is_empty());
}

#[test]
fn the_window_counts_each_commands_difference_per_flow() {
    let before = parse_commandstats(INFO);
    let mut after = before.clone();
    *after.get_mut("evalsha").unwrap() += 200;
    *after.get_mut("get").unwrap() += 100;
    after.insert("eval".into(), 4);
    // The bench's own INFO at the window's start.
    *after.get_mut("info").unwrap() += 1;
    let c = RedisCounts::between(&before, &after, 100);
    assert_eq!(c.calls, 304);
    assert_eq!(c.calls_per_flow, Some(3.04));
    assert_eq!(c.commands["evalsha"].calls, 200);
    assert_eq!(c.commands["evalsha"].per_flow, Some(2.0));
    assert_eq!(c.commands["eval"].calls, 4);
    assert!(!c.commands.contains_key("info"), "{c:?}");
    assert!(!c.commands.contains_key("client|setinfo"), "{c:?}");
}

#[test]
fn another_clients_info_still_counts() {
    let before = parse_commandstats(INFO);
    let mut after = before.clone();
    *after.get_mut("info").unwrap() += 3;
    let c = RedisCounts::between(&before, &after, 1);
    assert_eq!(c.commands["info"].calls, 2);
}

#[test]
fn zero_flows_count_calls_but_no_per_flow_share() {
    let before = CommandCalls::new();
    let after = CommandCalls::from([("get".to_owned(), 7)]);
    let c = RedisCounts::between(&before, &after, 0);
    assert_eq!(c.calls, 7);
    assert_eq!(c.calls_per_flow, None);
    assert_eq!(c.commands["get"].per_flow, None);
}

#[tokio::test]
async fn a_real_redis_counts_the_commands_run_in_the_window() {
    let url = std::env::var("SESAME_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let mut watch = RedisWatch::connect(&url).await.unwrap();
    watch.start().await.unwrap();
    let mut other = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    for _ in 0..3 {
        let _: String = redis::cmd("ECHO")
            .arg("sesame-bench")
            .query_async(&mut other)
            .await
            .unwrap();
    }
    let c = watch.finish(3).await.unwrap();
    // The Redis may be shared with other tests: at least these three.
    assert!(c.commands["echo"].calls >= 3, "{c:?}");
    assert!(c.calls >= 3 && c.calls_per_flow >= Some(1.0), "{c:?}");
}
