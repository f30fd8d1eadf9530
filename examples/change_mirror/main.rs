//! Change mirror: keeps a SQLite copy of an Uppsikt server's data by following its change
//! feed (`ChangeService.ListChanges`), resumable at any moment.
//!
//!   cargo run --example change_mirror -- --server http://127.0.0.1:50051 --db mirror.db
//!   cargo run --example change_mirror -- --follow 10            # poll every 10 s, for ever
//!   cargo run --example change_mirror -- --org-unit orgUnits/HSN --kind budget_line
//!
//! A bearer token, when the server needs one, comes from UPPSIKT_TOKEN. The mirror's table
//! `facts` holds one row per current fact (kind, key, the record as JSON and protobuf, its
//! source); `feed_cursor` holds where to resume.

mod mirror;

use anyhow::Context;
use mirror::{Feed, Mirror, Selection};
use std::path::PathBuf;
use std::time::Duration;
use tonic::transport::Channel;

struct Args {
    server: String,
    db: PathBuf,
    follow: Option<Duration>,
    selection: Selection,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        server: "http://127.0.0.1:50051".to_owned(),
        db: PathBuf::from("mirror.db"),
        follow: None,
        selection: Selection::default(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || {
            given
                .next()
                .with_context(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--server" => args.server = value()?,
            "--db" => args.db = value()?.into(),
            "--follow" => args.follow = Some(Duration::from_secs(value()?.parse()?)),
            "--org-unit" => args.selection.org_unit = value()?,
            "--kind" => args.selection.kinds.push(value()?),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let mirror = Mirror::open(&args.db).await?;
    let channel = Channel::from_shared(args.server.clone())?.connect().await?;
    let mut feed = Feed::new(channel, std::env::var("UPPSIKT_TOKEN").ok());
    loop {
        let applied = mirror.sync(&mut feed, &args.selection, 1000, None).await?;
        println!(
            "{applied} changes applied; {} holds {} facts, up to cursor {:?}",
            args.db.display(),
            mirror.facts().await?.len(),
            mirror.cursor().await?
        );
        match args.follow {
            Some(every) => tokio::time::sleep(every).await,
            None => break,
        }
    }
    mirror.close().await
}
