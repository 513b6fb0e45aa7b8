//! A throwaway PostgreSQL server of its own for one test, so the test can
//! restart it under load without touching the shared one: `initdb` and
//! `pg_ctl` from `SESAME_TEST_PG_BIN` (which `scripts/test-services/run env`
//! exports), else the newest `/usr/lib/postgresql/*/bin`, on a free local
//! port, its data in a temporary directory, stopped on drop.
//!
//! PostgreSQL refuses to run as root; as root the server runs as the
//! `postgres` user (the Debian package's, or the one the test services
//! created), so the directory lives under `/tmp`, where that user can reach
//! it.

use std::os::unix::fs::{PermissionsExt as _, chown};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// A running private PostgreSQL.
pub struct PrivatePostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    /// `Some((uid, gid))` of `postgres` when this process is root.
    run_as: Option<(u32, u32)>,
    _dir: TempDir,
}

impl PrivatePostgres {
    /// Initialises a cluster with trust authentication for 127.0.0.1 and
    /// starts it on a free port (fsync off: it is a test's).
    ///
    /// # Panics
    /// No PostgreSQL binaries are found, or `initdb` or `pg_ctl start`
    /// fails (their output is in the message).
    #[must_use]
    pub fn start() -> Self {
        let bin = pg_bin();
        let run_as = is_root().then(postgres_ids);
        let dir = tempfile::Builder::new()
            .prefix("sesame-private-pg-")
            .tempdir_in("/tmp")
            .expect("a temporary directory under /tmp");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("opening the temporary directory to the postgres user");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("the data directory");
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700))
            .expect("a private data directory");
        if let Some((uid, gid)) = run_as {
            chown(&data, Some(uid), Some(gid)).expect("giving the data directory to postgres");
        }
        let port = free_port();
        let pg = Self {
            bin,
            data,
            port,
            run_as,
            _dir: dir,
        };
        let data = pg.data.display().to_string();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        pg.pg_ctl("start");
        pg
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    #[must_use]
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown: open transactions are rolled back
    /// and every connection is closed, as in a failover) and waits until it
    /// has.
    ///
    /// # Panics
    /// `pg_ctl stop` fails.
    pub fn stop(&self) {
        self.pg_ctl("stop");
    }

    /// Starts the stopped server again on the same port and data, and
    /// waits until it accepts connections.
    ///
    /// # Panics
    /// `pg_ctl start` fails.
    pub fn start_again(&self) {
        self.pg_ctl("start");
    }

    fn pg_ctl(&self, action: &str) {
        let data = self.data.display().to_string();
        let log = self.data.join("server.log").display().to_string();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories='' \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            self.port
        );
        let mut args = vec!["-D", &data, "-l", &log, "-w", "-t", "60", "-m", "fast"];
        if action == "start" {
            args.extend(["-o", &options]);
        }
        args.push(action);
        self.run("pg_ctl", &args);
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let mut command = Command::new(self.bin.join(program));
        command.args(args).current_dir("/tmp");
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        let out = command
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        out
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if self.data.join("postmaster.pid").exists() {
            let data = self.data.display().to_string();
            let mut command = Command::new(self.bin.join("pg_ctl"));
            command
                .args(["-D", &data, "-m", "immediate", "-w", "-t", "30", "stop"])
                .current_dir("/tmp");
            if let Some((uid, gid)) = self.run_as {
                command.uid(uid).gid(gid);
            }
            let _ = command.output();
        }
    }
}

/// The directory holding `initdb` and `pg_ctl`.
fn pg_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("SESAME_TEST_PG_BIN").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            is_pg_bin(&bin).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no PostgreSQL server binaries (initdb, pg_ctl): run `scripts/test-services/run up` \
             and `eval \"$(scripts/test-services/run env)\"` (it exports SESAME_TEST_PG_BIN)"
        )
    })
}

fn is_pg_bin(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|p| dir.join(p).is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// The uid and gid of `postgres`, from `/etc/passwd`.
fn postgres_ids() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("reading /etc/passwd");
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&"postgres") && fields.len() > 3)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .expect(
            "running as root, PostgreSQL needs a `postgres` user: install the postgresql \
             package (scripts/test-services/run up does)",
        )
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
