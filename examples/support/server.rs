//! An `uppsikt serve` process on free ports, with its admin listener: the harnesses'
//! (fault_harness, soak) way to run the real binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Server {
    pub child: Child,
    pub api: SocketAddr,
    pub admin: SocketAddr,
}

/// The `uppsikt` binary beside the running example (target/<profile>/uppsikt).
pub fn uppsikt_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the example's path");
    let profile = exe
        .parent()
        .and_then(|examples| examples.parent())
        .expect("target/<profile>/examples");
    profile.join("uppsikt")
}

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

impl Server {
    /// `uppsikt serve` on `database_url` with `extra` arguments, once `/readyz` says 200.
    pub async fn start(database_url: &str, extra: &[&str]) -> anyhow::Result<Self> {
        let (api, admin) = (free_port(), free_port());
        let child = Command::new(uppsikt_binary())
            .args(["serve", "--database-url", database_url])
            .args([
                "--listen",
                &api.to_string(),
                "--admin-listen",
                &admin.to_string(),
            ])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut server = Self { child, api, admin };
        // Long enough for a first start that loads the demo data into a fresh database.
        let deadline = Instant::now() + Duration::from_secs(120);
        while readyz(admin).await != Some(200) {
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("uppsikt serve exited before it was ready: {status}");
            }
            anyhow::ensure!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(server)
    }

    pub async fn channel(&self) -> anyhow::Result<tonic::transport::Channel> {
        Ok(
            tonic::transport::Channel::from_shared(format!("http://{}", self.api))?
                .connect()
                .await?,
        )
    }

    /// SIGKILL, then reaped (as on drop, also when the harness fails midway).
    pub fn kill(self) {}
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of `GET /readyz`, `None` when the admin listener does not answer.
pub async fn readyz(admin: SocketAddr) -> Option<u16> {
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(admin).await.ok()?;
        let request = format!("GET /readyz HTTP/1.1\r\nHost: {admin}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await.ok()?;
        response.split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .ok()
        .flatten()
}
