//! How long each step of a render takes on clusters of 1,000 to 20,000 apps.
//!
//! ```text
//! cargo bench -p mlb-cli --bench render
//! cargo bench -p mlb-cli --bench render -- --sizes 1000,20000 --runs 5 --seed 1
//! ```
//!
//! For each size, a cluster from `support/cluster.rs` is timed through the
//! steps of a render: bytes to wire types (`decode_apps`), wire types to
//! the model (`lb_model::build`), model to config (`haproxy_config::render`),
//! and the whole `mlb-cli render --from FILE --group '*' --output /dev/null`
//! process, spawned. The floor is the same bytes parsed into a
//! `serde_json::Value`: a render cannot do much better than reading its
//! input once. It is timed two ways: inside this process, warm, the bytes
//! already in memory (the strict floor); and as a process of its own that
//! reads the file and parses it (this binary run again with
//! `--parse-value FILE`), which starts cold as `mlb-cli render` does and
//! is what any tool reading Marathon's answer pays at the least. Every figure is the median of `--runs` runs, and the runs of
//! all steps and all sizes are interleaved, round after round, so that
//! noise from other work on the machine hits every column and every size
//! alike. Peak memory is the maximum resident set of one
//! more process run, as `/usr/bin/time` reports it from the kernel.
//!
//! A plain `harness = false` binary rather than criterion: the numbers
//! wanted are a few medians of runs that take up to a second each.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use haproxy_config::{RenderOptions, Templates};
use lb_model::{HealthMemory, Options};
use mlb_cli::render::SystemResolver;

#[path = "support/cluster.rs"]
mod cluster;

/// What one size measured, every duration a median.
struct Row {
    apps: usize,
    input: usize,
    floor: Duration,
    floor_process: Duration,
    decode: Duration,
    build: Duration,
    render: Duration,
    process: Duration,
    peak_rss: Option<u64>,
    output: usize,
}

fn main() {
    if let Some(file) = parse_value_argument() {
        parse_value(&file);
        return;
    }
    let mut sizes = vec![1000, 5000, 10_000, 20_000];
    let mut runs = 5;
    let mut seed = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                let list = args.next().expect("--sizes takes a comma-separated list");
                sizes = list
                    .split(',')
                    .map(|n| n.trim().parse().expect("--sizes: not a number"))
                    .collect();
            }
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--seed" => seed = args.next().and_then(|n| n.parse().ok()).expect("--seed S"),
            // `cargo bench` passes `--bench`; filters are not supported.
            _ => {}
        }
    }

    let dir = std::env::temp_dir().join(format!("mlb-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating the scratch directory");
    let binary = Path::new(env!("CARGO_BIN_EXE_mlb-cli"));
    let itself = std::env::current_exe().expect("finding the benchmark's own binary");

    // Every size is measured in every round, so that the machine's
    // changes of speed hit the sizes alike, not only the columns: the
    // 20,000 / 10,000 factor compares two sizes.
    let mut clusters: Vec<Cluster> = sizes
        .iter()
        .map(|&apps| {
            let document = cluster::generate(apps, seed);
            let file = dir.join(format!("cluster-{apps}.json"));
            std::fs::write(&file, &document).expect("writing the cluster");
            Cluster {
                apps,
                document,
                file,
                times: Default::default(),
                output: 0,
            }
        })
        .collect();
    for _ in 0..runs {
        for cluster in &mut clusters {
            cluster.measure_once(binary, &itself, &dir);
        }
    }
    let rows: Vec<Row> = clusters
        .into_iter()
        .map(|cluster| cluster.row(binary, &dir))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);

    print_table(&rows, runs);
}

/// One generated cluster and the times measured on it so far.
struct Cluster {
    apps: usize,
    document: String,
    /// The document, written out for the process to read.
    file: PathBuf,
    /// Floor, floor as a process, decode, build, render and process, one
    /// entry per round.
    times: [Vec<Duration>; 6],
    /// The size of the config rendered.
    output: usize,
}

impl Cluster {
    /// Times every column once.
    fn measure_once(&mut self, binary: &Path, itself: &Path, dir: &Path) {
        let bytes = self.document.as_bytes();
        let templates = Templates::default();
        let render_options = RenderOptions {
            groups: vec!["*".to_owned()],
            ..RenderOptions::default()
        };

        // The floor: the document into a generic tree, freed untimed.
        let start = Instant::now();
        let value: serde_json::Value = serde_json::from_slice(bytes).expect("the cluster is JSON");
        self.times[0].push(start.elapsed());
        drop(value);

        let start = Instant::now();
        let status = Command::new(itself)
            .arg("--parse-value")
            .arg(&self.file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .expect("running the benchmark's own binary");
        self.times[1].push(start.elapsed());
        assert!(status.success(), "parsing the cluster failed: {status}");

        let start = Instant::now();
        let decoded = marathon_client::wire::decode_apps(bytes).expect("the cluster decodes");
        self.times[2].push(start.elapsed());
        assert!(
            decoded.rejected.is_empty(),
            "{:?}",
            decoded.rejected.first()
        );

        let start = Instant::now();
        let model = lb_model::build(
            decoded.apps,
            &Options::default(),
            &SystemResolver::default(),
            &mut HealthMemory::default(),
        );
        self.times[3].push(start.elapsed());

        let start = Instant::now();
        let rendered = haproxy_config::render(&model.services, &render_options, &templates)
            .expect("the default templates render");
        self.times[4].push(start.elapsed());
        self.output = rendered.config.len();
        drop((model, rendered));

        let start = Instant::now();
        let status = render_command(binary, &self.file, dir)
            .status()
            .expect("running mlb-cli");
        self.times[5].push(start.elapsed());
        assert!(status.success(), "mlb-cli render failed: {status}");
    }

    /// The medians, and the peak memory of one more process run.
    fn row(self, binary: &Path, dir: &Path) -> Row {
        let peak_rss = peak_rss(binary, &self.file, dir);
        let [floor, floor_process, decode, build, render, process] = self.times.map(median);
        Row {
            apps: self.apps,
            input: self.document.len(),
            floor,
            floor_process,
            decode,
            build,
            render,
            process,
            peak_rss,
            output: self.output,
        }
    }
}

/// The file after `--parse-value`, when this binary is run as the floor's
/// process.
fn parse_value_argument() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    (args.next()? == "--parse-value").then(|| args.next().map(PathBuf::from))?
}

/// The floor as a process: reads `file` and parses it into a
/// `serde_json::Value`, with the system's allocator, as a generic program
/// would. Like `mlb-cli render`, it ends without freeing what it parsed.
fn parse_value(file: &Path) {
    let bytes = std::fs::read(file).expect("reading the cluster");
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("the cluster is JSON");
    assert!(value["apps"].is_array(), "not an apps document");
    std::mem::forget(value);
}

/// `mlb-cli render` of `file` with every group, to /dev/null, with no
/// template override from the environment or a templates directory.
fn render_command(binary: &Path, file: &Path, dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .args(["render", "--from"])
        .arg(file)
        .args(["--group", "*", "--output", "/dev/null"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("HAPROXY_") || name == "FRAMEWORK_NAME" {
            command.env_remove(name);
        }
    }
    command
}

/// The peak resident set of one render process in bytes, from the kernel's
/// accounting as GNU time prints it; `None` without `/usr/bin/time`.
fn peak_rss(binary: &Path, file: &Path, dir: &Path) -> Option<u64> {
    let report = dir.join("rss");
    let inner = render_command(binary, file, dir);
    let mut command = Command::new("/usr/bin/time");
    command
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(inner.get_program())
        .args(inner.get_args())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, _) in inner.get_envs() {
        command.env_remove(name);
    }
    let status = command.status().ok()?;
    if !status.success() {
        return None;
    }
    let kilobytes: u64 = std::fs::read_to_string(&report).ok()?.trim().parse().ok()?;
    Some(kilobytes * 1024)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn ms(time: Duration) -> String {
    format!("{:.1}", time.as_secs_f64() * 1000.0)
}

fn mb(bytes: u64) -> String {
    // Display only: the precision lost in the conversion does not show.
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    let megabytes = bytes as f64 / 1_000_000.0;
    format!("{megabytes:.1}")
}

fn print_table(rows: &[Row], runs: usize) {
    println!("medians of {runs} runs; times in ms, sizes in MB (10^6 bytes)\n");
    println!(
        "| apps | input | Value (floor) | Value, own process | decode_apps | \
         lb_model::build | render | whole process | process / floor | \
         process / Value process | peak RSS | RSS / input | config |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let input = row.input as u64;
        let (rss, rss_ratio) = row
            .peak_rss
            .map_or(("n/a".to_owned(), "n/a".to_owned()), |rss| {
                (mb(rss), format!("{:.2}", ratio(rss, input)))
            });
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {} | {} | {} |",
            row.apps,
            mb(input),
            ms(row.floor),
            ms(row.floor_process),
            ms(row.decode),
            ms(row.build),
            ms(row.render),
            ms(row.process),
            row.process.as_secs_f64() / row.floor.as_secs_f64(),
            row.process.as_secs_f64() / row.floor_process.as_secs_f64(),
            rss,
            rss_ratio,
            mb(row.output as u64),
        );
    }

    // Linear time: doubling the apps should about double the time.
    let at = |apps: usize| rows.iter().find(|row| row.apps == apps);
    if let (Some(half), Some(full)) = (at(10_000), at(20_000)) {
        println!(
            "\n20,000 / 10,000 apps: whole process {:.2}x, floor {:.2}x",
            full.process.as_secs_f64() / half.process.as_secs_f64(),
            full.floor.as_secs_f64() / half.floor.as_secs_f64(),
        );
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    let ratio = a as f64 / b as f64;
    ratio
}
