//! Applying a rendered config: check it, archive the old one, move it into place, reload.
//!
//! [`apply`] takes the rendered files as plain data and makes them live
//! only once `haproxy -c` has accepted them:
//!
//! 1. If the config and every map equal what is on disk, nothing happens
//!    ([`Outcome::Unchanged`]); in particular HAProxy is not reloaded.
//! 2. Each new file is written to a hidden temporary file in the config's
//!    own directory and synced, so the final rename is atomic.
//! 3. `haproxy -c` checks the candidate (see [`check`] for how the maps are
//!    checked before they are live). A refused candidate never reaches the
//!    live paths: they stay byte-identical and the outcome is
//!    [`Outcome::Rejected`] with HAProxy's own words.
//! 4. The live versions are archived as `<file>.1` (newest) to `<file>.<n>`.
//! 5. The maps, then the config, are renamed into place and the directory
//!    is synced.
//! 6. The reload command runs, retried while it fails.
//!
//! ```no_run
//! use mlb_cli::apply::{self, ApplyOptions, Outcome, RenderedFiles};
//!
//! let files = RenderedFiles { config: "global\n".to_owned(), maps: Vec::new() };
//! let mut options = ApplyOptions::new("/etc/haproxy/haproxy.cfg");
//! options.reload_command = "systemctl reload haproxy".to_owned();
//! match apply::apply(&files, &options)? {
//!     Outcome::Rejected(rejection) => eprintln!("refused:\n{}", rejection.output),
//!     other => eprintln!("{other:?}"),
//! }
//! # Ok::<(), apply::ApplyError>(())
//! ```

mod archive;
mod check;
mod diagnostics;
mod files;
mod reload;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use archive::archive_path;
pub use check::{Check, Rejection, check};
pub use diagnostics::{CheckedFile, Diagnostic, Severity};
pub use reload::{Reload, reload};

use files::TempFile;

/// The output of a render: the config and the map files it refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedFiles {
    /// The HAProxy config text.
    pub config: String,
    /// Map files as (file name, content), for example
    /// `("domain2backend.map", "a.example web_80\n")`. They live in the
    /// config's directory, and the config refers to them there as
    /// `<config dir>/<file name>`, spelled with the directory exactly as
    /// [`ApplyOptions::config_path`] spells it.
    ///
    /// A map an earlier render produced and this one does not is left on
    /// disk as it is: the new config no longer refers to it.
    pub maps: Vec<(String, String)>,
}

/// How to apply an update; [`ApplyOptions::new`] gives marathon-lb's
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOptions {
    /// The live config file. Default: none, it must be given.
    pub config_path: PathBuf,
    /// A shell command run with `sh -c` after the files are in place; empty
    /// means no reload. Default: empty.
    pub reload_command: String,
    /// How many times a failing reload command is run again before giving
    /// up, so it runs at most `max_reload_retries + 1` times. Default: 10.
    pub max_reload_retries: u32,
    /// The pause before each retry of the reload command. Default: 10 s.
    pub reload_interval: Duration,
    /// How many previous versions to keep as `<file>.1 ..= <file>.<n>`; 0
    /// keeps none. Default: 5.
    pub archive_versions: usize,
    /// Whether to skip `haproxy -c`. Default: false.
    pub skip_validation: bool,
    /// Whether to stop after the check, writing nothing next to the live
    /// config and running no reload. Default: false.
    pub dry_run: bool,
    /// The HAProxy binary used for `-c`. Default: `haproxy`, found on the
    /// `PATH`.
    pub haproxy: PathBuf,
}

impl ApplyOptions {
    /// Options for the config at `config_path`, every other field at its
    /// default.
    pub fn new(config_path: impl Into<PathBuf>) -> Self {
        ApplyOptions {
            config_path: config_path.into(),
            reload_command: String::new(),
            max_reload_retries: 10,
            reload_interval: Duration::from_secs(10),
            archive_versions: 5,
            skip_validation: false,
            dry_run: false,
            haproxy: PathBuf::from("haproxy"),
        }
    }
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The files on disk already equal the rendered ones; nothing was
    /// written and nothing reloaded.
    Unchanged,
    /// The new files are live.
    Applied(Applied),
    /// `haproxy -c` refused the candidate; the live files are untouched.
    Rejected(Rejection),
    /// Dry run: the files differ from the live ones and passed the check
    /// (unless it was skipped), but nothing was written.
    WouldApply {
        /// HAProxy's warnings about the candidate.
        warnings: Vec<Diagnostic>,
    },
}

/// The details of an applied update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// HAProxy's warnings about the new config; it was accepted anyway.
    pub warnings: Vec<Diagnostic>,
    /// The reload, or `None` when no reload command is configured.
    pub reload: Option<Reload>,
}

/// What can go wrong while applying, other than HAProxy refusing the
/// config (which is an [`Outcome`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The config path names no file.
    #[error("invalid config path: {path}")]
    ConfigPath {
        /// The path as given.
        path: PathBuf,
    },

    /// A map name is not a plain file name, names the config, or appears
    /// twice.
    #[error("invalid map file name: {name:?}")]
    MapName {
        /// The name as rendered.
        name: String,
    },

    /// A live file could not be read for comparison.
    #[error("cannot read file: {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A temporary file could not be created, written or synced.
    #[error("cannot write file: {path}")]
    Write {
        /// The temporary file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The private directory for a check could not be created.
    #[error("cannot create temporary directory: {path}")]
    TempDir {
        /// The system temporary directory it was to be created in.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The previous version of a file could not be archived; nothing was
    /// moved into place.
    #[error("cannot archive file: {path}")]
    Archive {
        /// The live file being archived.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A checked file could not be renamed into place. Files renamed
    /// before it (maps come before the config) are already live.
    #[error("cannot move file into place: {path}")]
    Rename {
        /// The live path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The directory could not be synced after the renames; the new files
    /// are in place but may not survive a power loss.
    #[error("cannot sync directory: {path}")]
    SyncDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// HAProxy or the shell could not be started.
    #[error("cannot run program: {program}")]
    Spawn {
        /// The program, for example `haproxy` or `sh`.
        program: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The reload command kept failing. The new files are in place, so a
    /// later [`apply`] of the same files returns [`Outcome::Unchanged`]:
    /// call [`reload`] to try again.
    #[error("reload command failed after {attempts} attempts ({status}): {command}")]
    Reload {
        /// The command as configured.
        command: String,
        /// How often it ran.
        attempts: u32,
        /// The last exit status.
        status: std::process::ExitStatus,
        /// The last attempt's stderr, then its stdout.
        output: String,
    },
}

/// Applies `files` as described in the [module docs](self).
///
/// A reload that keeps failing is an error ([`ApplyError::Reload`]) even
/// though the files are already in place.
pub fn apply(files: &RenderedFiles, options: &ApplyOptions) -> Result<Outcome, ApplyError> {
    let live = LiveLayout::new(&options.config_path, files)?;
    if live.is_current(files)? {
        return Ok(Outcome::Unchanged);
    }

    if options.dry_run {
        if options.skip_validation {
            return Ok(Outcome::WouldApply {
                warnings: Vec::new(),
            });
        }
        return Ok(match check(files, options)? {
            Check::Passed { warnings } => Outcome::WouldApply { warnings },
            Check::Failed(rejection) => Outcome::Rejected(rejection),
        });
    }

    // Stage every file next to its live path first: a rename within one
    // directory is atomic, across file systems it is not possible at all.
    //
    // FIXME: a crash between staging and renaming leaves hidden
    // `.<name>.mlb-<pid>-<n>.new` files in the config directory, and
    // nothing removes them on a later run.
    let suffix = files::unique_suffix();
    let mut staged_maps = Vec::with_capacity(files.maps.len());
    for ((name, content), target) in files.maps.iter().zip(&live.maps) {
        let temp = live.dir.join(format!(".{name}.mlb-{suffix}.new"));
        let file = TempFile::create(temp.clone(), content, Some(target))
            .map_err(|source| ApplyError::Write { path: temp, source })?;
        staged_maps.push((name.as_str(), file));
    }
    let temp = live
        .dir
        .join(format!(".{}.mlb-{suffix}.new", live.config_name));
    let staged_config = TempFile::create(temp.clone(), &files.config, Some(&options.config_path))
        .map_err(|source| ApplyError::Write { path: temp, source })?;

    let mut warnings = Vec::new();
    if !options.skip_validation {
        let maps: Vec<_> = staged_maps
            .iter()
            .map(|(name, file)| (*name, file.path()))
            .collect();
        match check::check_staged(files, &live.dir_in_config, &maps, &live.dir, options)? {
            Check::Passed { warnings: found } => warnings = found,
            // Returning drops the staged files, which removes them.
            Check::Failed(rejection) => return Ok(Outcome::Rejected(rejection)),
        }
    }

    let staged_maps = staged_maps.into_iter().map(|(_, file)| file).collect();
    install(&live, staged_maps, staged_config, options)?;

    let reload = reload(options)?;
    Ok(Outcome::Applied(Applied { warnings, reload }))
}

/// Archives the live files, then renames the checked ones over them.
fn install(
    live: &LiveLayout,
    maps: Vec<TempFile>,
    config: TempFile,
    options: &ApplyOptions,
) -> Result<(), ApplyError> {
    // Every file rotates on every update, changed or not, so that
    // `<map>.<n>` always belongs with `<config>.<n>`.
    for path in live.maps.iter().chain([&options.config_path]) {
        archive::rotate(path, options.archive_versions).map_err(|source| ApplyError::Archive {
            path: path.clone(),
            source,
        })?;
    }

    // Maps first: the new config may route to entries only the new maps
    // hold, while the old config tolerates extra map entries.
    for (file, target) in maps.into_iter().zip(&live.maps) {
        file.persist(target).map_err(|source| ApplyError::Rename {
            path: target.clone(),
            source,
        })?;
    }
    let target = &options.config_path;
    config
        .persist(target)
        .map_err(|source| ApplyError::Rename {
            path: target.clone(),
            source,
        })?;

    files::sync_dir(&live.dir).map_err(|source| ApplyError::SyncDir {
        path: live.dir.clone(),
        source,
    })
}

/// Where the live files are, derived once from the options.
struct LiveLayout {
    /// The directory to create files in (`.` for a bare file name).
    dir: PathBuf,
    /// The directory as the config spells it in map paths (empty for a
    /// bare file name).
    dir_in_config: PathBuf,
    /// The config path.
    config: PathBuf,
    /// The config's file name.
    config_name: String,
    /// The live path of each map, in the order of `RenderedFiles::maps`.
    maps: Vec<PathBuf>,
}

impl LiveLayout {
    fn new(config: &Path, files: &RenderedFiles) -> Result<Self, ApplyError> {
        let bad_path = || ApplyError::ConfigPath {
            path: config.to_owned(),
        };
        let config_name = config
            .file_name()
            .ok_or_else(bad_path)?
            .to_str()
            .ok_or_else(bad_path)?;
        let dir_in_config = config.parent().ok_or_else(bad_path)?.to_owned();
        let dir = if dir_in_config.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir_in_config.clone()
        };

        // A map name is joined onto the directory, so anything but a plain
        // file name could write outside it or over the config, and two
        // files of one name would race for one live path.
        let mut maps = Vec::with_capacity(files.maps.len());
        for (name, _) in &files.maps {
            let plain = !name.is_empty()
                && files.maps.iter().filter(|(other, _)| other == name).count() == 1
                && name != "."
                && name != ".."
                && !name.contains('/')
                && name != config_name;
            if !plain {
                return Err(ApplyError::MapName { name: name.clone() });
            }
            maps.push(dir.join(name));
        }

        Ok(LiveLayout {
            dir,
            dir_in_config,
            config: config.to_owned(),
            config_name: config_name.to_owned(),
            maps,
        })
    }

    /// Whether every rendered file already has exactly this content on
    /// disk.
    fn is_current(&self, files: &RenderedFiles) -> Result<bool, ApplyError> {
        let wanted = [(&self.config, &files.config)].into_iter().chain(
            self.maps
                .iter()
                .zip(files.maps.iter().map(|(_, content)| content)),
        );
        for (path, content) in wanted {
            let on_disk = files::read_if_exists(path).map_err(|source| ApplyError::Read {
                path: path.clone(),
                source,
            })?;
            if on_disk.as_deref() != Some(content.as_bytes()) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
