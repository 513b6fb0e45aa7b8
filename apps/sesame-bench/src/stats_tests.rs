use std::time::Duration;

use super::*;

/// Within HDR's precision at 3 significant figures.
fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= expected * 0.001 + 1e-9
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn percentiles_of_one_to_a_hundred_milliseconds_are_the_obvious_ones() {
    let mut l = Latencies::default();
    for n in 1..=100 {
        l.record(ms(n));
    }
    let s = l.summary();
    assert_eq!(s.count, 100);
    assert!(close(s.p50_ms, 50.0), "{s:?}");
    assert!(close(s.p90_ms, 90.0), "{s:?}");
    assert!(close(s.p99_ms, 99.0), "{s:?}");
    assert!(close(s.max_ms, 100.0), "{s:?}");
    assert!(close(s.mean_ms, 50.5), "{s:?}");
}

#[test]
fn one_slow_outlier_shows_in_the_max_and_not_in_the_median() {
    let mut l = Latencies::default();
    for _ in 0..999 {
        l.record(Duration::from_micros(2_000));
    }
    l.record(Duration::from_secs(3));
    let s = l.summary();
    assert!(close(s.p50_ms, 2.0), "{s:?}");
    assert!(close(s.p99_ms, 2.0), "{s:?}");
    assert!(close(s.max_ms, 3000.0), "{s:?}");
}

#[test]
fn an_empty_histogram_summarizes_to_zeros() {
    assert_eq!(Latencies::default().summary(), Summary::default());
}

#[test]
fn latencies_beyond_the_range_are_clamped_not_lost() {
    let mut l = Latencies::default();
    l.record(Duration::ZERO);
    l.record(Duration::from_secs(3600));
    let s = l.summary();
    assert_eq!(s.count, 2);
    assert!(close(s.max_ms, 60_000.0), "{s:?}");
}

#[test]
fn merged_recorders_add_flows_calls_and_errors() {
    let mut a = Recorder::default();
    let mut b = Recorder::default();
    for n in 1..=50 {
        a.flows.record(ms(n));
        b.flows.record(ms(n + 50));
    }
    a.call(Endpoint::Start, ms(1));
    b.call(Endpoint::Start, ms(3));
    b.call(Endpoint::Otp, ms(2));
    a.error("start:429");
    b.error("start:429");
    b.error("otp:transport");
    a.merge(&b);

    let s = a.flows.summary();
    assert_eq!(s.count, 100);
    assert!(close(s.p50_ms, 50.0), "{s:?}");
    assert!(close(s.p99_ms, 99.0), "{s:?}");
    assert_eq!(a.endpoints[&Endpoint::Start].len(), 2);
    assert_eq!(a.endpoints[&Endpoint::Otp].len(), 1);
    assert!(!a.endpoints.contains_key(&Endpoint::Refresh));
    assert_eq!(a.errors["start:429"], 2);
    assert_eq!(a.errors["otp:transport"], 1);
    assert_eq!(a.error_count(), 3);
}

#[test]
fn throughput_is_count_over_elapsed_seconds() {
    assert!(close(per_second(5000, Duration::from_secs(4)), 1250.0));
    assert!(close(per_second(3, Duration::from_millis(1500)), 2.0));
    assert_eq!(per_second(10, Duration::ZERO), 0.0);
}

#[test]
fn a_per_flow_share_is_the_total_over_completed_flows() {
    assert_eq!(per_flow(8050.0, 8050), Some(1.0));
    assert_eq!(per_flow(3.0, 4), Some(0.75));
}

#[test]
fn a_run_without_completed_flows_has_no_per_flow_share() {
    assert_eq!(per_flow(1234.0, 0), None);
    assert_eq!(per_flow(0.0, 0), None);
}
