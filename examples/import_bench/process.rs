//! A child process timed from start to exit, with its peak resident memory (wait4's
//! rusage), and what it wrote to stderr.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

pub struct Run {
    pub success: bool,
    pub seconds: f64,
    pub peak_mib: f64,
    pub stderr: String,
}

pub struct Builder {
    command: Command,
}

pub fn run(program: &Path, args: &[&str]) -> Builder {
    let mut command = Command::new(program);
    command.args(args);
    Builder { command }
}

impl Builder {
    pub fn arg_path(mut self, path: &Path) -> Self {
        self.command.arg(path);
        self
    }

    pub fn stdin_file(mut self, path: &Path) -> anyhow::Result<Self> {
        self.command.stdin(std::fs::File::open(path)?);
        Ok(self)
    }

    pub fn finish(mut self) -> anyhow::Result<Run> {
        let errors = tempfile::tempfile()?;
        self.command
            .stdout(Stdio::null())
            .stderr(errors.try_clone()?);
        let started = Instant::now();
        let child = self.command.spawn()?;
        let pid = child.id() as libc::pid_t;
        let mut status = 0;
        // SAFETY: rusage is plain data filled in by the kernel; pid is our own child, not
        // yet reaped (the `Child` is forgotten below so that it does not wait again).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let seconds = started.elapsed().as_secs_f64();
        std::mem::forget(child);
        anyhow::ensure!(reaped == pid, "wait4: {}", std::io::Error::last_os_error());
        let stderr = {
            use std::io::{Read, Seek};
            let mut errors = errors;
            errors.rewind()?;
            let mut text = String::new();
            errors.read_to_string(&mut text)?;
            text
        };
        Ok(Run {
            success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            seconds,
            peak_mib: usage.ru_maxrss as f64 / 1024.0,
            stderr,
        })
    }
}
