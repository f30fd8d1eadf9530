//! `uppsikt report --pdf`: the report page (`/report`) printed to PDF by headless Chromium,
//! which runs the page's scripts against a server and prints with the page's own A4 print
//! stylesheet. Without a browser this says so plainly and prints nothing.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the page may take to load its data before Chromium prints it (virtual time:
/// Chromium prints as soon as the page is idle, or when this budget is spent).
const PAGE_BUDGET_MS: u32 = 30_000;
/// Headless Chromium as root on a closed network: without the background services'
/// connections (refused here, many at a time) and without a sandbox (root has none).
pub const HEADLESS_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// How long the browser may run in all before it is stopped.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(180);

/// What to print: the page's parameters.
#[derive(Debug, Clone)]
pub struct ReportPage {
    pub unit: String,
    pub year: i32,
    pub from: u8,
    pub to: u8,
    /// RFC 3339 instant or ISO date; the page's `as_of`.
    pub as_of: Option<String>,
    /// A bearer token for a server that needs one; given to the page in the URL's fragment,
    /// which the browser never sends to the server.
    pub token: Option<String>,
}

impl ReportPage {
    /// The page's URL on the server at `base` (e.g. `http://127.0.0.1:50051`).
    pub fn url(&self, base: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("unit", &self.unit)
            .append_pair("year", &self.year.to_string())
            .append_pair("from", &self.from.to_string())
            .append_pair("to", &self.to.to_string());
        if let Some(as_of) = &self.as_of {
            query.append_pair("as_of", as_of);
        }
        let mut url = format!("{}/report?{}", base.trim_end_matches('/'), query.finish());
        if let Some(token) = &self.token {
            let fragment = form_urlencoded::Serializer::new(String::new())
                .append_pair("token", token)
                .finish();
            url.push('#');
            url.push_str(&fragment);
        }
        url
    }
}

/// The browser: `explicit` when given (None when it is no file), else the first of Debian's
/// and the usual names found on `PATH`.
pub fn find_chromium(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return path.is_file().then(|| path.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// Prints `url` to `output` with headless Chromium at `browser`, in a fresh profile, with
/// `HEADLESS_FLAGS`. Blocking: run it off the async runtime's threads.
pub fn print_pdf(browser: &Path, url: &str, output: &Path) -> anyhow::Result<()> {
    let profile = Profile::create()?;
    let output = std::path::absolute(output)
        .with_context(|| format!("cannot resolve {}", output.display()))?;
    let _ = std::fs::remove_file(&output);
    let mut child = Command::new(browser)
        .args(HEADLESS_FLAGS)
        .arg("--no-pdf-header-footer")
        .arg(format!("--virtual-time-budget={PAGE_BUDGET_MS}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", output.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start the browser {}", browser.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{} did not finish within {} s",
                browser.display(),
                BROWSER_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut errors = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut errors);
    }
    if !status.success() {
        bail!(
            "{} exited with {status}: {}",
            browser.display(),
            errors.trim()
        );
    }
    let head = std::fs::read(&output)
        .with_context(|| format!("the browser wrote no PDF to {}", output.display()))?;
    if !head.starts_with(b"%PDF") {
        bail!("{} is not a PDF", output.display());
    }
    Ok(())
}

/// A fresh browser profile directory, removed when dropped.
struct Profile(PathBuf);

impl Profile {
    fn create() -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("uppsikt-report-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create the browser profile {}", path.display()))?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The server the browser loads the page from.
pub enum Server {
    /// A running server's base URL, e.g. `http://127.0.0.1:50051`.
    Running(String),
    /// A server started here on loopback for the print, and stopped after it.
    InProcess(crate::store::Store),
}

/// Prints `page` to `output` from `server` with the browser at `browser`.
pub async fn print_report(
    browser: PathBuf,
    page: &ReportPage,
    server: Server,
    output: PathBuf,
) -> anyhow::Result<()> {
    let print = |base: String| {
        let url = page.url(&base);
        tokio::task::spawn_blocking(move || print_pdf(&browser, &url, &output))
    };
    match server {
        Server::Running(base) => print(base).await?,
        Server::InProcess(store) => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .context("cannot listen on loopback")?;
            let base = format!("http://{}", listener.local_addr()?);
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let shutdown = async {
                let _ = stopped.await;
            };
            let running = tokio::spawn(crate::server::serve(store, listener, shutdown));
            let printed = print(base).await;
            let _ = stop.send(());
            running.await??;
            printed?
        }
    }
}
