//! `mlb-cli`: renders HAProxy configs from Marathon apps.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use haproxy_config::{Staged, StagedConfig, TEMPLATES};
use lb_model::HealthMemory;
use mlb_cli::daemon::{self, PollCommand, SseCommand};
use mlb_cli::render::{RenderFlags, SystemResolver, stage_file};
use mlb_cli::update::chain;

/// A render allocates and frees millions of small strings; glibc's malloc
/// spent a quarter of a large render consolidating its free lists
/// (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Marathon service discovery for HAProxy.
#[derive(Debug, Parser)]
#[command(name = "mlb-cli", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render the config of a Marathon apps document.
    Render(RenderCommand),
    /// List every template: name, scope, placeholders and default text.
    Templates,
    /// Follow Marathon by polling, and keep HAProxy's config current.
    Poll(PollCommand),
    /// Follow Marathon's event stream, and keep HAProxy's config current.
    Sse(SseCommand),
}

#[derive(Debug, clap::Args)]
struct RenderCommand {
    /// An apps document (`GET /v2/apps?embed=apps.tasks`, or a bare array
    /// of apps); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    from: String,

    /// Where to write the config (standard output when absent). With
    /// --haproxy-map the two map files are written beside it.
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,

    #[command(flatten)]
    flags: RenderFlags,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Render(command) => render(&command),
        Command::Templates => templates(),
        Command::Poll(command) => return live(daemon::poll(&command)),
        Command::Sse(command) => return live(daemon::sse(&command)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The exit status of `poll` and `sse`; a failure to start is printed.
fn live(result: Result<ExitCode, daemon::StartError>) -> ExitCode {
    result.unwrap_or_else(|err| {
        eprintln!("error: {}", chain(&err));
        ExitCode::FAILURE
    })
}

fn render(command: &RenderCommand) -> Result<(), String> {
    if command.flags.haproxy_map && command.output.is_none() {
        return Err(
            "--haproxy-map writes domain2backend.map and app2backend.map beside the \
                    config: give --output"
                .to_owned(),
        );
    }
    let templates = command.flags.load_templates().map_err(|err| chain(&err))?;
    let (rejected, outcome) = stage_file(
        &command.from,
        &command.flags,
        &templates,
        &SystemResolver::default(),
        &mut HealthMemory::default(),
    )
    .map_err(|err| chain(&err))?;
    for app in &rejected {
        eprintln!("warning: app {} left out: {}", app.app, app.reason);
    }
    for warning in &outcome.model_warnings {
        eprintln!("warning: {warning}");
    }
    for skipped in &outcome.staged.warnings {
        eprintln!("warning: {skipped}; service left out");
    }

    // The process ends once the config is written: freeing a large
    // cluster's services, string by string, would only delay the exit.
    std::mem::forget(outcome.services);

    // The config is written part by part, never joined: for a large
    // cluster it is tens of megabytes.
    let Staged {
        config,
        domain_map,
        app_map,
        ..
    } = outcome.staged;
    match &command.output {
        None => write_config(config, std::io::stdout().lock())
            .map_err(|err| format!("writing standard output: {err}")),
        Some(path) => {
            std::fs::File::create(path)
                .and_then(|file| write_config(config, file))
                .map_err(|err| format!("writing {}: {err}", path.display()))?;
            if command.flags.haproxy_map {
                let dir = path.parent().unwrap_or(Path::new("."));
                write_file(&dir.join("domain2backend.map"), &domain_map)?;
                write_file(&dir.join("app2backend.map"), &app_map)?;
            }
            Ok(())
        }
    }
}

/// Writes `config` to `out` through a buffer.
fn write_config(config: StagedConfig, out: impl std::io::Write) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    config.write_to(&mut out)?;
    out.flush()
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|err| format!("writing {}: {err}", path.display()))
}

fn templates() -> Result<(), String> {
    let mut out = String::new();
    for spec in TEMPLATES {
        // Only a label of the model's table replaces a template: a few that
        // marathon-lb marks per service port have none.
        let scope = match mlb_cli::docs::override_label(spec) {
            Some(label) => format!(
                "global, or per service port with label {}",
                label.name.replace("{0}", "{n}")
            ),
            None => "global only".to_owned(),
        };
        let placeholders: Vec<String> = spec
            .placeholders
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect();
        let placeholders = if placeholders.is_empty() {
            "none (the text is used as it is)".to_owned()
        } else {
            placeholders.join(" ")
        };
        let _ = write!(
            out,
            "{}\n  scope: {scope}\n  placeholders: {placeholders}\n  default:\n",
            spec.name
        );
        for line in spec.default.split_inclusive('\n') {
            out.push_str("    | ");
            out.push_str(line);
        }
        if !spec.default.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|err| format!("writing standard output: {err}"))
}
