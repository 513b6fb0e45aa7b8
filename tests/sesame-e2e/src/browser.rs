//! A real browser for the magic-link tests: headless Chromium driven over
//! WebDriver (`fantoccini`) by a `chromedriver` this module starts on a free
//! port and kills, with every Chromium it started, when dropped.
//!
//! The binaries come from `SESAME_TEST_CHROMIUM` and
//! `SESAME_TEST_CHROMEDRIVER` (exported by `scripts/test-services/run env`),
//! else `/usr/bin/chromium` and the `chromedriver` on `PATH` (or
//! `/usr/bin/chromedriver`). `scripts/test-services/run up` installs them
//! (Debian's `chromium` and `chromium-driver`) when they are missing. A
//! missing browser fails the test, naming that command: it never passes
//! without having run.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

/// The default `SESAME_TEST_CHROMIUM`.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
/// Where `chromedriver` is when it is not on `PATH`.
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long chromedriver and a new browser session may take to come up.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a condition is looked at while waiting for it.
const POLL: Duration = Duration::from_millis(100);
/// What to run when the browser is missing.
const INSTALL_HINT: &str = "run `scripts/test-services/run up` (it installs Debian's chromium and \
     chromium-driver when they are missing), then `eval \"$(scripts/test-services/run env)\"`";

/// A headless Chromium session and the chromedriver behind it.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    dir: TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("chromedriver_pid", &self.driver.id())
            .finish_non_exhaustive()
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The first `name` on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The browser binary.
///
/// # Panics
/// It is not there.
#[must_use]
pub fn chromium() -> PathBuf {
    let path = env_path("SESAME_TEST_CHROMIUM").unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM));
    assert!(
        path.is_file(),
        "the browser tests need Chromium, and there is none at {} (SESAME_TEST_CHROMIUM): {INSTALL_HINT}",
        path.display()
    );
    path
}

/// The WebDriver binary.
///
/// # Panics
/// It is not there.
#[must_use]
pub fn chromedriver() -> PathBuf {
    let path = env_path("SESAME_TEST_CHROMEDRIVER")
        .or_else(|| on_path("chromedriver"))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMEDRIVER));
    assert!(
        path.is_file(),
        "the browser tests need chromedriver, and there is none at {} (SESAME_TEST_CHROMEDRIVER, \
         PATH): {INSTALL_HINT}",
        path.display()
    );
    path
}

/// `target/screenshots` of this workspace (or of `CARGO_TARGET_DIR`),
/// created.
///
/// # Panics
/// It cannot be created.
#[must_use]
pub fn screenshot_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    let target = env_path("CARGO_TARGET_DIR").map_or_else(
        || workspace.join("target"),
        |t| {
            if t.is_relative() {
                workspace.join(t)
            } else {
                t
            }
        },
    );
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// A free TCP port on 127.0.0.1 (free when asked: chromedriver binds it
/// right after).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    ///
    /// # Panics
    /// Either binary is missing, or they do not come up in time.
    pub async fn launch() -> Self {
        let (chromium, chromedriver) = (chromium(), chromedriver());
        let dir = tempfile::tempdir().expect("creating the browser's temporary directory");
        let log_path = dir.path().join("chromedriver.log");
        let log = std::fs::File::create(&log_path).expect("creating the chromedriver log");
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the chromedriver log"))
            .stderr(log)
            // Its own process group, so that dropping the browser can stop
            // chromedriver and every Chromium process it started at once.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", chromedriver.display()));
        let mut browser = Self {
            client: None,
            driver,
            dir,
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        browser.wait_until_driver_is_ready(&webdriver).await;

        let profile = browser.dir.path().join("profile");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=900,700",
                    "--lang=en-US",
                    "--no-first-run",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {"intl.accept_languages": "en-US,en"},
            }),
        );
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let client = tokio::time::timeout(LAUNCH_TIMEOUT, builder.connect(&webdriver))
            .await
            .unwrap_or_else(|_| browser.fail("the browser session did not start in time"))
            .unwrap_or_else(|e| browser.fail(&format!("starting a Chromium session: {e}")));
        browser.client = Some(client);
        browser
    }

    async fn wait_until_driver_is_ready(&mut self, webdriver: &str) {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("an HTTP client");
        let deadline = Instant::now() + LAUNCH_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                self.fail(&format!("chromedriver exited at start ({status})"));
            }
            let ready = match http.get(format!("{webdriver}/status")).send().await {
                Ok(r) => r
                    .json::<serde_json::Value>()
                    .await
                    .is_ok_and(|s| s["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                return;
            }
            if Instant::now() > deadline {
                self.fail("chromedriver did not answer /status in time");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Panics with `what` and the end of chromedriver's log.
    fn fail(&self, what: &str) -> ! {
        let log =
            std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!(
            "{what}; the last lines of chromedriver's log:\n{}",
            tail.join("\n")
        );
    }

    /// The WebDriver session.
    ///
    /// # Panics
    /// It was closed.
    #[must_use]
    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("the browser session is open")
    }

    /// Opens `url` and waits for the page to load.
    ///
    /// # Panics
    /// WebDriver fails.
    pub async fn open(&self, url: &str) {
        self.client()
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("opening a page: {e}"));
    }

    /// The page's visible text.
    ///
    /// # Panics
    /// WebDriver fails.
    pub async fn text(&self) -> String {
        self.find("body")
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("reading the page's text: {e}"))
    }

    /// The element `css` is on the page.
    ///
    /// # Panics
    /// It is not.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
    }

    /// Clicks `css`.
    ///
    /// # Panics
    /// It is not on the page, or WebDriver fails.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    /// The current URL.
    ///
    /// # Panics
    /// WebDriver fails.
    pub async fn url(&self) -> url::Url {
        self.client()
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("reading the current URL: {e}"))
    }

    /// Waits (at most `timeout`) until the page's URL starts with `prefix`.
    ///
    /// # Panics
    /// It does not in time.
    pub async fn wait_for_url_starting_with(&self, prefix: &str, timeout: Duration) -> url::Url {
        let deadline = Instant::now() + timeout;
        loop {
            let url = self.url().await;
            if url.as_str().starts_with(prefix) {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "the browser did not reach {prefix} within {timeout:?} (it is on {}{})",
                url.origin().ascii_serialization(),
                url.path()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Saves a PNG of the window as `target/screenshots/<name>` and returns
    /// its path.
    ///
    /// # Panics
    /// WebDriver or the file system fails.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client()
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("taking a screenshot: {e}"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "the screenshot is not a PNG"
        );
        let path = screenshot_dir().join(name);
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }

    /// Ends the session (Chromium exits) and stops chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it
        // started (`kill -KILL -<pgid>`; std cannot signal a group).
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
