//! The servers under test, each a process of its own so that its peak memory (VmHWM) is
//! its own: the real server (this binary re-executed with `serve`, doing what
//! `uppsikt serve` does) and bare tonic servers answering from memory: a canned GetOrgUnit
//! (`bare-serve`) and a canned ListBudgetLines page (`bare-pages`).
//! A child binds 127.0.0.1:0 and prints `listening ADDR` as its first line of output.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prost::Message;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use tonic::service::Routes;
use tonic::{Request, Response, Status};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::budget_service_server::{BudgetService, BudgetServiceServer};
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

/// Child side of `serve-demo URL`: `serve` on the demo data set (loaded into `URL` when it
/// holds no data yet), as `uppsikt serve --demo` does.
pub async fn serve_demo(url: &str) -> anyhow::Result<()> {
    let _telemetry = uppsikt::telemetry::init();
    let store = uppsikt::store::Store::open(url).await?;
    if uppsikt::demo::is_empty(&store).await? {
        uppsikt::demo::load(&store).await?;
    }
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

/// The reference for pages: tonic with nothing but one canned page of budget lines.
struct CannedPage(pb::ListBudgetLinesResponse);

#[tonic::async_trait]
impl BudgetService for CannedPage {
    async fn list_categories(
        &self,
        _request: Request<pb::ListCategoriesRequest>,
    ) -> Result<Response<pb::ListCategoriesResponse>, Status> {
        Err(Status::unimplemented("bare server"))
    }

    async fn list_budget_lines(
        &self,
        _request: Request<pb::ListBudgetLinesRequest>,
    ) -> Result<Response<pb::ListBudgetLinesResponse>, Status> {
        Ok(Response::new(self.0.clone()))
    }

    async fn summarize_budget(
        &self,
        _request: Request<pb::SummarizeBudgetRequest>,
    ) -> Result<Response<pb::SummarizeBudgetResponse>, Status> {
        Err(Status::unimplemented("bare server"))
    }
}

/// A canned answer as a command-line argument.
pub fn canned_arg(answer: &impl Message) -> String {
    STANDARD.encode(answer.encode_to_vec())
}

fn canned<M: Message + Default>(arg: &str) -> anyhow::Result<M> {
    Ok(M::decode(STANDARD.decode(arg)?.as_slice())?)
}

/// Child side of `bare-serve UNIT`: a bare tonic server answering every GetOrgUnit with the
/// canned unit.
pub async fn bare_serve(unit: &str) -> anyhow::Result<()> {
    serve_bare(Routes::new(OrganizationServiceServer::new(Canned(canned(
        unit,
    )?))))
    .await
}

/// Child side of `bare-pages PAGE`: a bare tonic server answering every ListBudgetLines
/// with the canned page.
pub async fn bare_pages(page: &str) -> anyhow::Result<()> {
    serve_bare(Routes::new(BudgetServiceServer::new(CannedPage(canned(
        page,
    )?))))
    .await
}

/// Serves `routes` with tonic's defaults (TCP_NODELAY on every accepted socket, as tonic's
/// own `serve` does).
async fn serve_bare(routes: Routes) -> anyhow::Result<()> {
    let listener = bind_and_announce().await?;
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming(incoming)
        .await?;
    Ok(())
}
