//! The server's CPU time and memory, read from `/proc/<pid>`: `stat` for
//! user + system CPU ticks, `status` for `VmHWM` (peak RSS) and `VmRSS`.

use std::path::PathBuf;

use serde::Serialize;

/// Clock ticks per second in `/proc/<pid>/stat`. This is Linux's `USER_HZ`,
/// which the kernel fixes at 100 for userspace on every mainstream
/// architecture (it is what `getconf CLK_TCK` prints).
pub const TICKS_PER_SECOND: f64 = 100.0;

/// One reading of a process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ProcSample {
    /// User + system CPU time since the process started, in seconds.
    pub cpu_seconds: f64,
    /// Peak resident set size so far (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
    /// Resident set size now (`VmRSS`), in KiB.
    pub rss_kib: u64,
}

impl ProcSample {
    /// Reads `/proc/<pid>/stat` and `/proc/<pid>/status`.
    ///
    /// # Errors
    /// The process does not exist, or a file does not have the expected shape.
    pub fn read(pid: u32) -> std::io::Result<Self> {
        let dir = PathBuf::from(format!("/proc/{pid}"));
        let stat = std::fs::read_to_string(dir.join("stat"))?;
        let status = std::fs::read_to_string(dir.join("status"))?;
        Self::parse(&stat, &status).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("unexpected /proc/{pid}/stat or status"),
            )
        })
    }

    /// The sample described by the texts of `stat` and `status`.
    #[must_use]
    pub fn parse(stat: &str, status: &str) -> Option<Self> {
        Some(Self {
            cpu_seconds: cpu_ticks(stat)? as f64 / TICKS_PER_SECOND,
            peak_rss_kib: status_kib(status, "VmHWM")?,
            rss_kib: status_kib(status, "VmRSS")?,
        })
    }
}

/// `utime + stime` from a `/proc/<pid>/stat` line. The command name (field
/// 2) is in parentheses and may itself hold spaces and parentheses, so the
/// fields are counted from the last `)`.
#[must_use]
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    // After the name: state (field 3) … utime (field 14), stime (field 15).
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The value in KiB of a `Key:   1234 kB` line of `/proc/<pid>/status`.
#[must_use]
pub fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if k != key {
            return None;
        }
        v.split_whitespace().next()?.parse().ok()
    })
}

/// A process's resource use over the measured window (the server's, or the bench's own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ServerUsage {
    /// CPU seconds spent between the start and the end of the window.
    pub cpu_seconds: f64,
    /// `cpu_seconds` divided by the window's length: 1.0 is one core busy.
    pub cpu_cores: f64,
    /// Peak RSS of the process's whole life, at the end of the run, in MiB.
    pub peak_rss_mib: f64,
    /// RSS at the end of the run, in MiB.
    pub rss_mib: f64,
}

impl ServerUsage {
    /// The usage between two samples taken `window_secs` apart.
    #[must_use]
    pub fn between(before: &ProcSample, after: &ProcSample, window_secs: f64) -> Self {
        let cpu_seconds = (after.cpu_seconds - before.cpu_seconds).max(0.0);
        Self {
            cpu_seconds,
            cpu_cores: if window_secs > 0.0 {
                cpu_seconds / window_secs
            } else {
                0.0
            },
            peak_rss_mib: after.peak_rss_kib as f64 / 1024.0,
            rss_mib: after.rss_kib as f64 / 1024.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (sesame (x) y) S 1 4242 4242 0 -1 4194560 2095 0 0 0 \
        1234 567 0 0 20 0 3 0 1000 123456789 2048 18446744073709551615";
    const STATUS: &str = "Name:\tsesame\nVmPeak:\t  900000 kB\nVmHWM:\t   40960 kB\n\
        VmRSS:\t   30720 kB\nThreads:\t3\n";

    #[test]
    fn cpu_time_is_utime_plus_stime_even_with_parentheses_in_the_name() {
        assert_eq!(cpu_ticks(STAT), Some(1234 + 567));
    }

    #[test]
    fn memory_comes_from_the_named_status_lines() {
        assert_eq!(status_kib(STATUS, "VmHWM"), Some(40960));
        assert_eq!(status_kib(STATUS, "VmRSS"), Some(30720));
        assert_eq!(status_kib(STATUS, "VmSwap"), None);
    }

    #[test]
    fn a_sample_converts_ticks_to_seconds() {
        let s = ProcSample::parse(STAT, STATUS).unwrap();
        assert!((s.cpu_seconds - 18.01).abs() < 1e-9, "{s:?}");
        assert_eq!((s.peak_rss_kib, s.rss_kib), (40960, 30720));
        assert_eq!(ProcSample::parse("garbage", STATUS), None);
    }

    #[test]
    fn usage_is_the_difference_over_the_window() {
        let before = ProcSample {
            cpu_seconds: 2.0,
            peak_rss_kib: 10240,
            rss_kib: 10240,
        };
        let after = ProcSample {
            cpu_seconds: 7.0,
            peak_rss_kib: 51200,
            rss_kib: 40960,
        };
        let u = ServerUsage::between(&before, &after, 10.0);
        assert_eq!(u.cpu_seconds, 5.0);
        assert_eq!(u.cpu_cores, 0.5);
        assert_eq!(u.peak_rss_mib, 50.0);
        assert_eq!(u.rss_mib, 40.0);
    }

    #[test]
    fn this_process_can_be_read() {
        let s = ProcSample::read(std::process::id()).unwrap();
        assert!(s.peak_rss_kib >= s.rss_kib && s.rss_kib > 0, "{s:?}");
    }
}
