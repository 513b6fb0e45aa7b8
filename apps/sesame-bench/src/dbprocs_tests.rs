use super::*;

/// A `/proc/<pid>/stat` line with `comm`, CPU ticks `utime`/`stime` and
/// start time `start`.
fn stat(pid: u32, comm: &str, utime: u64, stime: u64, start: u64) -> String {
    format!(
        "{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 2095 0 0 0 {utime} {stime} 0 0 20 0 3 0 \
         {start} 123456789 2048 18446744073709551615"
    )
}

fn proc(pid: u32, comm: &str, cpu_ticks: u64, start_ticks: u64) -> ProcStat {
    ProcStat {
        pid,
        comm: comm.into(),
        cpu_ticks,
        start_ticks,
    }
}

#[test]
fn a_stat_line_gives_the_name_cpu_ticks_and_start_time() {
    let p = ProcStat::parse(&stat(4242, "postgres", 1234, 567, 9000)).unwrap();
    assert_eq!(p, proc(4242, "postgres", 1234 + 567, 9000));
}

#[test]
fn a_name_with_spaces_and_parentheses_is_read_whole() {
    let p = ProcStat::parse(&stat(7, "a (b) c) d", 10, 5, 77)).unwrap();
    assert_eq!(p.comm, "a (b) c) d");
    assert_eq!((p.cpu_ticks, p.start_ticks), (15, 77));
    let p = ProcStat::parse(&stat(8, ") S 1 2 3", 1, 2, 3)).unwrap();
    assert_eq!((p.comm.as_str(), p.cpu_ticks), (") S 1 2 3", 3));
}

#[test]
fn a_line_of_another_shape_is_refused() {
    assert_eq!(ProcStat::parse("garbage"), None);
    assert_eq!(ProcStat::parse("12 (x) S 1 2 3"), None);
    assert_eq!(
        ProcStat::parse("x (postgres) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"),
        None
    );
}

#[test]
fn discovery_counts_postgres_and_redis_and_names_them_by_store() {
    assert!(is_store("postgres") && is_store("redis-server"));
    assert!(!is_store("postgres:") && !is_store("redis-cli") && !is_store("sesame"));
    assert_eq!(kind_of("postgres"), "postgres");
    assert_eq!(kind_of("redis-server"), "redis");
    assert_eq!(kind_of("memcached"), "memcached");
}

#[test]
fn usage_sums_every_process_of_a_kind_from_the_first_sample_to_the_last() {
    let mut t = Tracker::default();
    t.observe([
        proc(10, "postgres", 100, 1),
        proc(11, "postgres", 50, 2),
        proc(20, "redis-server", 7, 3),
    ]);
    t.observe([
        proc(10, "postgres", 300, 1),
        proc(11, "postgres", 50, 2),
        proc(20, "redis-server", 57, 3),
    ]);
    let u = t.usage(10.0, 400);
    assert_eq!(u["postgres"].processes, 2);
    assert!((u["postgres"].cpu_seconds - 2.0).abs() < 1e-9, "{u:?}");
    assert!((u["postgres"].cpu_cores - 0.2).abs() < 1e-9, "{u:?}");
    assert_eq!(u["postgres"].cpu_ms_per_flow, Some(5.0));
    assert!((u["redis"].cpu_seconds - 0.5).abs() < 1e-9, "{u:?}");
    assert_eq!(u["redis"].cpu_ms_per_flow, Some(1.25));
}

#[test]
fn a_process_born_in_the_window_counts_from_zero() {
    let mut t = Tracker::default();
    t.observe([proc(10, "postgres", 100, 1)]);
    t.observe([proc(10, "postgres", 110, 1), proc(12, "postgres", 30, 500)]);
    t.observe([proc(10, "postgres", 120, 1), proc(12, "postgres", 45, 500)]);
    assert_eq!(t.ticks_by_kind()["postgres"], (20 + 45, 2));
}

#[test]
fn a_process_that_vanished_counts_up_to_its_last_sample() {
    let mut t = Tracker::default();
    t.observe([proc(10, "postgres", 100, 1), proc(11, "postgres", 40, 2)]);
    t.observe([proc(10, "postgres", 110, 1), proc(11, "postgres", 90, 2)]);
    t.observe([proc(10, "postgres", 125, 1)]);
    assert_eq!(t.ticks_by_kind()["postgres"], (25 + 50, 2));
}

#[test]
fn a_reused_pid_is_a_new_process_and_not_a_negative_delta() {
    let mut t = Tracker::default();
    t.observe([proc(10, "postgres", 900, 1)]);
    t.observe([proc(10, "postgres", 5, 800)]);
    assert_eq!(t.ticks_by_kind()["postgres"], (5, 2));
}

#[test]
fn zero_flows_give_cpu_seconds_but_no_per_flow_share() {
    let mut t = Tracker::default();
    t.observe([proc(20, "redis-server", 0, 3)]);
    t.observe([proc(20, "redis-server", 100, 3)]);
    let u = t.usage(0.0, 0);
    assert_eq!(u["redis"].cpu_seconds, 1.0);
    assert_eq!(u["redis"].cpu_cores, 0.0);
    assert_eq!(u["redis"].cpu_ms_per_flow, None);
}

#[test]
fn nothing_selected_means_no_samples_and_no_usage() {
    assert!(sample(&DbProcs::Off).is_empty());
    let mut t = Tracker::default();
    t.observe(sample(&DbProcs::Off));
    t.observe(sample(&DbProcs::Off));
    assert!(t.usage(10.0, 100).is_empty());
}

#[test]
fn a_listed_process_is_read_under_its_own_name() {
    let me = sample(&DbProcs::Pids(vec![std::process::id()]));
    assert_eq!(me.len(), 1);
    assert_eq!(me[0].pid, std::process::id());
    assert!(!me[0].comm.is_empty());
}

#[test]
fn discovery_only_returns_store_processes() {
    assert!(sample(&DbProcs::Find).iter().all(|p| is_store(&p.comm)));
}
