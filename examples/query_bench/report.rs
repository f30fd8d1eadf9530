//! The printed tables: every measurement, then the goals of issue 8 with the ratios and
//! whether each is met. Goals are reported, never asserted.

use crate::load::Stats;

/// One measured row.
pub struct Row {
    pub what: String,
    pub stats: Stats,
    /// The server's VmHWM right after this measurement (MiB); `None` for baselines.
    pub server_peak: Option<f64>,
}

/// One goal: a measured figure against its target.
pub struct Goal {
    pub what: String,
    pub measured: f64,
    pub unit: &'static str,
    pub target: f64,
    /// True when the figure must stay at or below the target, false for at or above.
    pub at_most: bool,
}

impl Goal {
    pub fn at_most(
        what: impl Into<String>,
        measured: f64,
        unit: &'static str,
        target: f64,
    ) -> Self {
        Self {
            what: what.into(),
            measured,
            unit,
            target,
            at_most: true,
        }
    }

    pub fn at_least(
        what: impl Into<String>,
        measured: f64,
        unit: &'static str,
        target: f64,
    ) -> Self {
        Self {
            at_most: false,
            ..Self::at_most(what, measured, unit, target)
        }
    }

    fn met(&self) -> bool {
        if self.at_most {
            self.measured <= self.target
        } else {
            self.measured >= self.target
        }
    }
}

pub fn print_rows(backend: &str, rows: &[Row]) {
    println!();
    println!("{backend}: measurements");
    println!();
    println!("| measurement | clients | calls | calls/s | p50 ms | p99 ms | server peak MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let s = &row.stats;
        let peak = row
            .server_peak
            .map_or_else(|| "".to_owned(), |p| format!("{p:.1}"));
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {peak} |",
            row.what,
            s.clients,
            s.calls,
            s.rate(),
            s.p50_ms(),
            s.p99_ms()
        );
    }
    for row in rows.iter().filter(|r| r.stats.errors > 0) {
        println!(
            "WARNING {}: {} calls failed, first: {}",
            row.what,
            row.stats.errors,
            row.stats.first_error.as_deref().unwrap_or("")
        );
    }
}

pub fn print_goals(backend: &str, goals: &[Goal]) {
    println!();
    println!("{backend}: goals");
    println!();
    println!("| goal | measured | target | met |");
    println!("|---|---:|---:|---|");
    for g in goals {
        let op = if g.at_most { "≤" } else { "≥" };
        println!(
            "| {} | {:.2}{u} | {op} {}{u} | {} |",
            g.what,
            g.measured,
            g.target,
            if g.met() { "yes" } else { "**no**" },
            u = g.unit
        );
    }
    let met = goals.iter().filter(|g| g.met()).count();
    println!();
    println!("{backend}: {met} of {} goals met", goals.len());
}
