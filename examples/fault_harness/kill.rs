//! (a) `kill -9` of `uppsikt import` at a random moment, trial after trial: after each
//! kill, either every record of the import and its change-log entries are there, or none.

use crate::db::{self, Fresh, Written};
use crate::{Rng, uppsikt_binary};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The org unit and categories every trial's records refer to.
const BASE: &str = "source document=\"fault-base\"\n\
org_unit code=FROOT name=\"Fault root\" kind=region valid_from=2020-01-01\n\
category code=FC1 name=\"Fault cost 1\" direction=cost order=10\n\
category code=FC2 name=\"Fault cost 2\" direction=cost order=20\n";

/// A trial's file: its own unit and `lines` budget lines of it, so that what the trial
/// wrote can be told apart from every other trial's.
pub fn trial_file(trial: usize, lines: usize) -> String {
    let mut text = format!(
        "source document=\"fault-trial-{trial:04}\"\n\
         org_unit code=FT{trial:04} name=\"Fault trial {trial}\" kind=committee parent=FROOT valid_from=2020-01-01\n"
    );
    for i in 0..lines {
        let (month, scenario, category, year) =
            (i % 12 + 1, (i / 12) % 2, (i / 24) % 2 + 1, 1900 + i / 48);
        let scenario = ["actual", "budget"][scenario];
        text.push_str(&format!(
            "budget_line org_unit=FT{trial:04} category=FC{category} fiscal_year={year} \
             from_month={month} to_month={month} scenario={scenario} amount_tkr=-{}\n",
            i + 1
        ));
    }
    text
}

pub struct Outcome {
    pub label: &'static str,
    pub trials: usize,
    pub full_import: Duration,
    /// Killed before the import committed: nothing there.
    pub none: usize,
    /// Finished or killed after the commit: all there.
    pub all: usize,
    /// Exited on its own before the kill (all there).
    pub finished_first: usize,
    /// Anything else: the failures.
    pub partial: Vec<(usize, Written)>,
}

fn import(database_url: &str, file: &Path) -> std::process::Child {
    Command::new(uppsikt_binary())
        .args(["import", "--database-url", database_url])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn uppsikt import")
}

/// Imports the root unit and the categories (through the command line, which also
/// migrates the database).
pub fn base(database_url: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let base = dir.path().join("base.txt");
    std::fs::write(&base, BASE)?;
    let status = import(database_url, &base).wait()?;
    anyhow::ensure!(status.success(), "the base import failed");
    Ok(())
}

pub async fn run(
    fresh: &Fresh,
    trials: usize,
    lines: usize,
    rng: &mut Rng,
) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    base(&fresh.url)?;
    let db = sea_orm::Database::connect(&fresh.url).await?;

    // Trial 0 runs whole: how long an import takes, so that kills fall across all of it.
    let file = dir.path().join("trial-0000.txt");
    std::fs::write(&file, trial_file(0, lines))?;
    let started = Instant::now();
    let status = import(&fresh.url, &file).wait()?;
    let full_import = started.elapsed();
    anyhow::ensure!(
        status.success(),
        "{}: the calibration import failed",
        fresh.label
    );
    let whole = db::written(&db, "fault-trial-0000", "trial-0000.txt").await?;
    anyhow::ensure!(
        whole.lines == lines as i64 && whole.units == 1 && whole.logged == 1,
        "{}: the calibration import wrote {whole:?}",
        fresh.label
    );
    let expected = whole;

    let mut outcome = Outcome {
        label: fresh.label,
        trials,
        full_import,
        none: 0,
        all: 0,
        finished_first: 0,
        partial: Vec::new(),
    };
    for trial in 1..=trials {
        let name = format!("trial-{trial:04}.txt");
        let file = dir.path().join(&name);
        std::fs::write(&file, trial_file(trial, lines))?;
        // Up to 20 % past the measured time, so that some kills come after the commit.
        let delay = full_import.mul_f64(rng.unit() * 1.2);
        let mut child = import(&fresh.url, &file);
        tokio::time::sleep(delay).await;
        let exited_first = child.try_wait()?.is_some();
        // SIGKILL: the process gets no chance to roll back or close anything.
        let _ = child.kill();
        child.wait()?;
        let seen = db::written(&db, &format!("fault-trial-{trial:04}"), &name).await?;
        if seen.nothing() {
            outcome.none += 1;
        } else if seen == expected {
            outcome.all += 1;
            if exited_first {
                outcome.finished_first += 1;
            }
        } else {
            eprintln!("{}: trial {trial}: PARTIAL {seen:?}", fresh.label);
            outcome.partial.push((trial, seen));
        }
        if trial % 10 == 0 {
            eprintln!(
                "{}: {trial}/{trials} kills: {} none, {} all, {} partial",
                fresh.label,
                outcome.none,
                outcome.all,
                outcome.partial.len()
            );
        }
    }
    db.close().await?;
    Ok(outcome)
}
