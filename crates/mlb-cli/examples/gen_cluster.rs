//! Writes a deterministic Marathon apps document of any size to stdout.
//!
//! ```text
//! cargo run --release -p mlb-cli --example gen_cluster -- --apps 20000 --seed 1 > cluster.json
//! ```
//!
//! The same `--apps` and `--seed` always give the same bytes; see
//! `benches/support/cluster.rs` for the mix of apps it writes.

use std::io::Write as _;
use std::process::ExitCode;

#[path = "../benches/support/cluster.rs"]
mod cluster;

fn main() -> ExitCode {
    let mut apps: usize = 1000;
    let mut seed: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next();
        let parsed = match flag.as_str() {
            "--apps" => value.and_then(|v| v.parse().ok()).map(|v| apps = v),
            "--seed" => value.and_then(|v| v.parse().ok()).map(|v| seed = v),
            _ => None,
        };
        if parsed.is_none() {
            eprintln!("usage: gen_cluster [--apps N] [--seed S] > cluster.json");
            return ExitCode::FAILURE;
        }
    }

    let document = cluster::generate(apps, seed);
    match std::io::stdout().lock().write_all(document.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: writing standard output: {err}");
            ExitCode::FAILURE
        }
    }
}
