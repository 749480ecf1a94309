//! Progress of a build on stderr: a bar for long builds in a terminal, or, with
//! `CASEBOOK_TIMING` in the environment, each stage's wall time, CPU time and memory (for
//! benchmarks). Silent otherwise. Knows nothing about what the stages do.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// Is `CASEBOOK_TIMING` set? Read once: every stage of every build asks.
pub fn timing_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("CASEBOOK_TIMING").is_some())
}

/// Fewer cases than this build too fast for a bar to be worth drawing.
const BAR_FROM_CASES: usize = 2000;

/// A progress bar, a timing report, or nothing (see the module doc).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    timing: Option<Mutex<Stage>>,
}

/// The stage being timed: when it started, its name, and the CPU seconds used before it.
struct Stage {
    started: Instant,
    name: &'static str,
    cpu: CpuSeconds,
}

/// The process's user and system CPU seconds so far.
#[derive(Clone, Copy)]
struct CpuSeconds {
    user: f64,
    system: f64,
}

impl CpuSeconds {
    /// Where the system tells (Linux's `/proc/self/stat`, in ticks of 1/100 s); zeros elsewhere.
    fn now() -> CpuSeconds {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the command name (which is in parentheses and may hold spaces).
        let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
        CpuSeconds { user: ticks(11), system: ticks(12) }
    }
}

/// A line of `/proc/self/status` (`VmRSS:`, `VmHWM:`), or `?` where there is none.
fn memory(status: &str, key: &str) -> String {
    status.lines().find_map(|l| l.strip_prefix(key)).map_or(String::from("?"), |v| v.trim().to_string())
}

impl Progress {
    pub fn new(enabled: bool, cases: usize) -> Progress {
        use std::io::IsTerminal;
        if enabled && cases >= BAR_FROM_CASES && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(cases as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {msg:12} [{bar:30}] {pos}/{len} {elapsed}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            Progress { bar: Some(bar), timing: None }
        } else if timing_enabled() {
            let stage = Stage { started: Instant::now(), name: "start", cpu: CpuSeconds::now() };
            Progress { bar: None, timing: Some(Mutex::new(stage)) }
        } else {
            Progress::silent()
        }
    }

    /// No bar, no timing (for partial renders).
    pub fn silent() -> Progress {
        Progress { bar: None, timing: None }
    }

    /// Marks the start of a stage.
    pub fn stage(&self, msg: &'static str, len: usize) {
        if let Some(timing) = &self.timing {
            if let Ok(mut stage) = timing.lock() {
                let cpu = CpuSeconds::now();
                let (user, sys) = (cpu.user - stage.cpu.user, cpu.system - stage.cpu.system);
                let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
                eprintln!(
                    "timing: {:<10} {:>7.3} s  (cpu: {user:.2} s user, {sys:.2} s system; memory: {}, peak {})",
                    stage.name,
                    stage.started.elapsed().as_secs_f64(),
                    memory(&status, "VmRSS:"),
                    memory(&status, "VmHWM:")
                );
                *stage = Stage { started: Instant::now(), name: msg, cpu };
            }
        }
        if let Some(bar) = &self.bar {
            bar.set_message(msg);
            bar.set_length(len as u64);
            bar.set_position(0);
        }
    }

    /// One more item of the current stage done.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        self.stage("", 0);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
