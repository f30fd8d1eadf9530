//! The servers under test, each a process of its own so that its peak memory (VmHWM) is
//! its own: the real server (this binary re-executed with `serve`, doing what
//! `uppsikt serve` does) and a bare tonic server answering a canned GetOrgUnit (`bare-serve`).
//! A child binds 127.0.0.1:0 and prints `listening ADDR` as its first line of output.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prost::Message;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use tonic::{Request, Response, Status};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::organization_service_server::{
    OrganizationService, OrganizationServiceServer,
};

/// A running child server.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts this binary with `args`; its log goes to `log`.
    pub fn start(args: &[&str], log: &Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log)?)
            .spawn()?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .strip_prefix("listening ")
            .and_then(|a| a.trim().parse().ok());
        match addr {
            Some(addr) => Ok(Self { child, addr }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!(
                    "the server did not start (said {line:?}); see {}",
                    log.display()
                )
            }
        }
    }

    /// Peak resident memory so far, MiB.
    pub fn peak_mib(&self) -> f64 {
        peak_rss_mib(&format!("/proc/{}/status", self.child.id()))
    }

    pub fn stop(mut self) -> f64 {
        let peak = self.peak_mib();
        let _ = self.child.kill();
        let _ = self.child.wait();
        peak
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// VmHWM of the process whose status file is `status`, MiB.
pub fn peak_rss_mib(status: &str) -> f64 {
    std::fs::read_to_string(status)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn bind_and_announce() -> anyhow::Result<tokio::net::TcpListener> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    // The parent reads this line to learn the port.
    println!("listening {}", listener.local_addr()?);
    Ok(listener)
}

/// Child side of `serve URL`: what `uppsikt serve --database-url URL` does (open and
/// migrate, then serve until SIGTERM), on a port of its own.
pub async fn serve(url: &str) -> anyhow::Result<()> {
    let _telemetry = uppsikt::telemetry::init();
    let store = uppsikt::store::Store::open(url).await?;
    let listener = bind_and_announce().await?;
    uppsikt::server::serve(store.clone(), listener, uppsikt::server::shutdown_signal()).await?;
    store.close().await?;
    Ok(())
}

/// The reference: tonic with nothing but one canned answer.
struct Canned(pb::OrgUnit);

#[tonic::async_trait]
impl OrganizationService for Canned {
    async fn get_org_unit(
        &self,
        _request: Request<pb::GetOrgUnitRequest>,
    ) -> Result<Response<pb::OrgUnit>, Status> {
        Ok(Response::new(self.0.clone()))
    }

    async fn list_org_units(
        &self,
        _request: Request<pb::ListOrgUnitsRequest>,
    ) -> Result<Response<pb::ListOrgUnitsResponse>, Status> {
        Err(Status::unimplemented("bare server"))
    }
}

/// The canned answer as a command-line argument.
pub fn canned_arg(unit: &pb::OrgUnit) -> String {
    STANDARD.encode(unit.encode_to_vec())
}

/// Child side of `bare-serve CANNED`: a bare tonic server (TCP_NODELAY on every accepted
/// socket, as tonic's own `serve` does) answering every GetOrgUnit with the canned unit.
pub async fn bare_serve(canned: &str) -> anyhow::Result<()> {
    let unit = pb::OrgUnit::decode(STANDARD.decode(canned)?.as_slice())?;
    let listener = bind_and_announce().await?;
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        .add_service(OrganizationServiceServer::new(Canned(unit)))
        .serve_with_incoming(incoming)
        .await?;
    Ok(())
}
