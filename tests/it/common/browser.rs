//! Headless Chromium driven over the DevTools protocol (JSON over a WebSocket): open a page,
//! evaluate script in it, click like a user (mouse events at an element's centre) and
//! collect what it downloads.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The browser: `UPPSIKT_CHROMIUM`, else Debian's `chromium`. `None` skips a browser test
/// outside CI; with CI set, a missing browser fails it (.ci/run installs chromium).
pub fn chromium() -> Option<PathBuf> {
    let found = std::env::var("UPPSIKT_CHROMIUM")
        .ok()
        .map(PathBuf::from)
        .or_else(|| {
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.exists())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("SKIPPED: no chromium (install Debian's `chromium`, or set UPPSIKT_CHROMIUM)");
    }
    found
}

pub struct Browser {
    child: Child,
    dir: tempfile::TempDir,
    socket: Socket,
    session: String,
    next_id: u64,
}

impl Browser {
    pub async fn launch(path: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        // Chromium prints where its DevTools endpoint listens.
        let stderr = child.stderr.take().expect("stderr");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = sender.send(url.trim().to_owned());
                }
            }
        });
        let url =
            tokio::task::spawn_blocking(move || receiver.recv_timeout(Duration::from_secs(60)))
                .await
                .expect("task")
                .expect("chromium's DevTools endpoint within 60 s");
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("DevTools connection");
        let mut browser = Self {
            child,
            dir,
            socket,
            session: String::new(),
            next_id: 0,
        };
        let target = browser
            .send("Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = browser
            .send(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        browser.session = attached["sessionId"].as_str().expect("session").to_owned();
        let downloads = browser.downloads();
        std::fs::create_dir_all(&downloads).expect("download dir");
        browser
            .send(
                "Browser.setDownloadBehavior",
                json!({ "behavior": "allow", "downloadPath": downloads, "eventsEnabled": true }),
            )
            .await;
        browser.page("Page.enable", json!({})).await;
        browser
    }

    fn downloads(&self) -> PathBuf {
        self.dir.path().join("downloads")
    }

    /// A browser-level command; its result.
    async fn send(&mut self, method: &str, params: Value) -> Value {
        self.command(method, params, None).await
    }

    /// A command to the page.
    async fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.command(method, params, Some(session)).await
    }

    async fn command(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::String(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send to chromium");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("{method}: no answer within 60 s"))
                .expect("chromium closed the connection")
                .expect("a DevTools message");
            let Message::Text(text) = next else { continue };
            let answer: Value = serde_json::from_str(&text).expect("JSON");
            if answer["id"] == json!(id) {
                if let Some(error) = answer.get("error") {
                    panic!("{method}: {error}");
                }
                return answer["result"].clone();
            }
        }
    }

    /// Opens `url` and waits until its document has loaded.
    pub async fn goto(&mut self, url: &str) {
        self.page("Page.navigate", json!({ "url": url })).await;
        self.wait_for(&format!(
            "location.href === {url:?} && document.readyState === 'complete'"
        ))
        .await;
    }

    /// The value of a script expression (a promise is awaited).
    pub async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .page(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            )
            .await;
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression}: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy; its value.
    pub async fn wait_for(&mut self, expression: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.eval(expression).await;
            if !(value.is_null() || value == json!(false) || value == json!("")) {
                return value;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "waited 60 s for {expression}; the page says: {}",
                self.eval("document.body ? document.body.innerText : ''")
                    .await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the first element matching `selector` with the mouse, as a user would.
    pub async fn click(&mut self, selector: &str) {
        let script = format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        );
        let point = self.eval(&script).await;
        let (x, y) = match point.as_array().map(Vec::as_slice) {
            Some([x, y]) => (x.as_f64().expect("x"), y.as_f64().expect("y")),
            _ => panic!("nothing matches {selector}"),
        };
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.page(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            )
            .await;
        }
    }

    /// A finished download (the test removes each it has read).
    pub async fn download(&mut self) -> PathBuf {
        let started = Instant::now();
        loop {
            let found = std::fs::read_dir(self.downloads())
                .expect("download dir")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e != "crdownload"));
            if let Some(path) = found {
                return path;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no download within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The page's DOM after its scripts ran, as Chromium dumps it.
pub fn dump_dom(browser: &PathBuf, url: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("dom.html");
    let mut child = Command::new(browser)
        .args(uppsikt::print::HEADLESS_FLAGS)
        .arg("--virtual-time-budget=10000")
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(url)
        .stdout(std::fs::File::create(&out).expect("output file"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(out).expect("dumped DOM")
}

/// The cell texts of the table row marked `data-row="{key}"`.
pub fn row_cells(dom: &str, key: &str) -> Vec<String> {
    let marker = format!("data-row=\"{key}\"");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no row {key} in the page:\n{dom}"));
    let row = &dom[start..start + dom[start..].find("</tr>").expect("row end")];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find('>').expect("tag end") + 1..];
            text[..text.find("</td>").expect("cell end")].to_owned()
        })
        .collect()
}
