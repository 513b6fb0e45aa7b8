use super::*;

fn parse_str(s: &str) -> Result<Command, String> {
    parse(s.split_whitespace().map(str::to_owned))
}

#[test]
fn no_arguments_run_the_defaults() {
    assert_eq!(parse_str(""), Ok(Command::Run(Options::default())));
}

#[test]
fn every_run_option_is_read() {
    let Ok(Command::Run(o)) = parse_str(
        "--server http://127.0.0.1:4000 --mode returning --vus 8 --duration 2m --warmup 500ms \
         --rate 250.5 --pool 3 --server-pid 42 --out r.json --webhook-listen 127.0.0.1:0 \
         --webhook-secret s3cr3t --client-id c --audience a --quiet --dpop",
    ) else {
        panic!("refused");
    };
    assert_eq!(o.server, "http://127.0.0.1:4000");
    assert_eq!(o.mode, Mode::Returning);
    assert_eq!((o.vus, o.pool, o.server_pid), (8, 3, Some(42)));
    assert_eq!(o.duration, Duration::from_secs(120));
    assert_eq!(o.warmup, Duration::from_millis(500));
    assert_eq!(o.rate, Some(250.5));
    assert_eq!(o.out, Some(PathBuf::from("r.json")));
    assert_eq!(o.webhook_listen.port(), 0);
    assert_eq!(o.webhook_secret, "s3cr3t");
    assert_eq!(
        (o.client_id.as_str(), o.audience.as_deref()),
        ("c", Some("a"))
    );
    assert!(!o.progress);
    assert!(o.dpop);
}

#[test]
fn bad_values_are_refused_with_the_flag_named() {
    for (args, flag) in [
        ("--mode fast", "--mode"),
        ("--vus 0", "--vus"),
        ("--vus x", "--vus"),
        ("--duration 10h", "--duration"),
        ("--duration 0s", "--duration"),
        ("--rate -3", "--rate"),
        ("--warmup", "--warmup"),
        ("--bogus", "--bogus"),
        ("--db-pids 12,x", "--db-pids"),
        ("--db-pids ,", "--db-pids"),
        ("--pg-url", "--pg-url"),
    ] {
        let e = parse_str(args).unwrap_err();
        assert!(e.contains(flag), "{args}: {e}");
    }
}

#[test]
fn the_stores_are_found_by_default_and_can_be_listed_or_left_out() {
    let Ok(Command::Run(o)) = parse_str("") else {
        panic!("refused");
    };
    assert_eq!(o.db_procs, DbProcs::Find);
    assert_eq!((o.pg_url, o.redis_url), (None, None));
    assert_eq!(o.pg_stats_db, "postgres");
    let Ok(Command::Run(o)) = parse_str(
        "--db-pids 12,34,56 --pg-url postgres://h/db --pg-stats-db admin --redis-url redis://r",
    ) else {
        panic!("refused");
    };
    assert_eq!(o.db_procs, DbProcs::Pids(vec![12, 34, 56]));
    assert_eq!(o.pg_url.as_deref(), Some("postgres://h/db"));
    assert_eq!(o.pg_stats_db, "admin");
    assert_eq!(o.redis_url.as_deref(), Some("redis://r"));
    for (args, expected) in [
        ("--db-pids 7 --find-db", DbProcs::Find),
        ("--no-db", DbProcs::Off),
        ("--find-db --no-db", DbProcs::Off),
    ] {
        let Ok(Command::Run(o)) = parse_str(args) else {
            panic!("{args} refused");
        };
        assert_eq!(o.db_procs, expected, "{args}");
    }
}

#[test]
fn durations_take_ms_s_m_or_bare_seconds() {
    assert_eq!(duration("-", "250ms"), Ok(Duration::from_millis(250)));
    assert_eq!(duration("-", "3"), Ok(Duration::from_secs(3)));
    assert_eq!(duration("-", "1.5s"), Ok(Duration::from_millis(1500)));
    assert_eq!(duration("-", "2m"), Ok(Duration::from_secs(120)));
}

#[test]
fn server_config_takes_its_own_options() {
    let Ok(Command::ServerConfig(c)) = parse_str(
        "server-config --listen 127.0.0.1:3100 --store memory:// --cache redis://r \
         --key-prefix p: --alg ES256 --webhook http://127.0.0.1:9/sesame",
    ) else {
        panic!("refused");
    };
    assert_eq!(c.listen, "127.0.0.1:3100");
    assert_eq!(c.store, "memory://");
    assert_eq!(c.cache.as_deref(), Some("redis://r"));
    assert_eq!(c.key_prefix.as_deref(), Some("p:"));
    assert_eq!(c.alg, "ES256");
    assert_eq!(c.webhook_url, "http://127.0.0.1:9/sesame");
    assert!(c.cache_cluster.is_empty());
}

#[test]
fn a_cache_cluster_is_a_comma_separated_seed_list() {
    let Ok(Command::ServerConfig(c)) =
        parse_str("server-config --cache-cluster redis://a:7000,redis://b:7001,")
    else {
        panic!("refused");
    };
    assert_eq!(c.cache_cluster, ["redis://a:7000", "redis://b:7001"]);
}

#[test]
fn a_cache_and_a_cache_cluster_are_refused_together() {
    let e =
        parse_str("server-config --cache redis://r --cache-cluster redis://a:7000").unwrap_err();
    assert!(e.contains("--cache-cluster"), "{e}");
}

#[test]
fn cold_start_takes_the_command_after_the_double_dash() {
    let Ok(Command::ColdStart(c)) = parse_str(
        "cold-start --ready-url http://127.0.0.1:3100/readyz --settle 2s -- taskset -c 0 sesame --config x.toml",
    ) else {
        panic!("refused");
    };
    assert_eq!(c.ready_url, "http://127.0.0.1:3100/readyz");
    assert_eq!(c.settle, Duration::from_secs(2));
    assert_eq!(c.command.join(" "), "taskset -c 0 sesame --config x.toml");
    assert!(parse_str("cold-start --settle 1s").is_err());
}
