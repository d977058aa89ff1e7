//! Running `haproxy -c` on a candidate whose maps are not live yet.
//!
//! The config names its maps by their live paths (`map(/etc/haproxy/
//! domain2backend.map)`), but before the check passes the candidate maps
//! must not be there. So the check runs on a copy of the config in which
//! each live map path is replaced by the path of that map's candidate file.
//! The copy differs from the config only inside those paths and never by a
//! line break, so HAProxy's line numbers hold for the real config, and the
//! config that goes live is the unmodified text, not the copy.
//!
//! Mirroring the layout in a temporary directory would not work: the paths
//! in the config are absolute and would still lead to the live maps.
//! Writing the candidate maps to their live names before the check would
//! let any reload in between load unchecked maps.

use std::path::Path;
use std::process::{Command, Stdio};

use super::diagnostics::{self, Candidate, Diagnostic, Severity};
use super::files::{TempDir, TempFile, unique_suffix};
use super::{ApplyError, ApplyOptions, RenderedFiles};

/// The answer of `haproxy -c`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// HAProxy accepts the candidate.
    Passed {
        /// What HAProxy warned about anyway.
        warnings: Vec<Diagnostic>,
    },
    /// HAProxy refuses the candidate.
    Failed(Rejection),
}

impl Check {
    /// The warnings on success, the rejection on failure.
    pub fn into_result(self) -> Result<Vec<Diagnostic>, Rejection> {
        match self {
            Check::Passed { warnings } => Ok(warnings),
            Check::Failed(rejection) => Err(rejection),
        }
    }
}

/// Why HAProxy refused a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// HAProxy's output (stderr, then stdout) exactly as printed. Paths in
    /// it are those of temporary candidate files, which no longer exist.
    pub output: String,
    /// The alerts and warnings in it, located in the candidate files.
    /// There is always at least one alert: when HAProxy printed none, the
    /// last line of its output stands in for it.
    pub diagnostics: Vec<Diagnostic>,
}

impl Rejection {
    /// The diagnostics that made HAProxy refuse the config.
    pub fn alerts(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Alert)
    }
}

/// Checks `files` with `haproxy -c` without touching the live directory.
///
/// The candidate is written to a private directory under the system
/// temporary directory, with map paths rewritten as described in the
/// [module docs](self). Only [`ApplyOptions::config_path`] (to know how the
/// config spells the map paths) and [`ApplyOptions::haproxy`] are used.
///
/// This is the check [`crate::bisect`] calls again and again: it writes no
/// file that must survive, so it skips the fsync calls of a real apply.
pub fn check(files: &RenderedFiles, options: &ApplyOptions) -> Result<Check, ApplyError> {
    // FIXME: a head with `default-path config` makes HAProxy resolve
    // relative paths against the checked file's directory; from the
    // private directory such a config finds other files than it will when
    // live. `apply` itself checks next to the live config and is not
    // affected.
    let dir_in_config = options.config_path.parent().unwrap_or(Path::new(""));
    let stage = TempDir::new().map_err(|source| ApplyError::TempDir {
        path: std::env::temp_dir(),
        source,
    })?;

    let mut maps = Vec::with_capacity(files.maps.len());
    for (name, content) in &files.maps {
        let path = stage
            .path()
            .join(format!("{}.map-{}", maps.len(), sanitize(name)));
        let file = TempFile::scratch(path.clone(), content)
            .map_err(|source| ApplyError::Write { path, source })?;
        maps.push((name.as_str(), file));
    }

    let staged: Vec<_> = maps
        .iter()
        .map(|(name, file)| (*name, file.path()))
        .collect();
    check_staged(files, dir_in_config, &staged, stage.path(), options)
}

/// Checks `files` whose maps are already written to the given candidate
/// paths, placing the rewritten config copy in `stage_dir`.
pub(crate) fn check_staged(
    files: &RenderedFiles,
    dir_in_config: &Path,
    maps: &[(&str, &Path)],
    stage_dir: &Path,
    options: &ApplyOptions,
) -> Result<Check, ApplyError> {
    let text = point_maps_at_candidates(&files.config, dir_in_config, maps);
    let path = stage_dir.join(format!(".mlb-{}.check.cfg", unique_suffix()));
    let copy = TempFile::scratch(path.clone(), &text)
        .map_err(|source| ApplyError::Write { path, source })?;

    let output = Command::new(&options.haproxy)
        .arg("-c")
        .arg("-f")
        .arg(copy.path())
        .stdin(Stdio::null())
        .output()
        .map_err(|source| ApplyError::Spawn {
            program: options.haproxy.clone(),
            source,
        })?;

    let mut printed = String::from_utf8_lossy(&output.stderr).into_owned();
    printed.push_str(&String::from_utf8_lossy(&output.stdout));

    let candidate = Candidate {
        checked_config: copy.path(),
        config: &text,
        maps: maps
            .iter()
            .zip(&files.maps)
            .map(|((name, path), (_, content))| (*path, *name, content.as_str()))
            .collect(),
    };
    let diagnostics = diagnostics::parse(&printed, &candidate);

    if output.status.success() {
        return Ok(Check::Passed {
            warnings: diagnostics,
        });
    }

    // A status without output (HAProxy killed by a signal, say) must still
    // explain itself to whoever reads the rejection.
    if printed.trim().is_empty() {
        printed = format!("haproxy -c failed without output ({})", output.status);
    }
    let mut diagnostics = diagnostics;
    if !diagnostics.iter().any(|d| d.severity == Severity::Alert) {
        diagnostics.push(unlabelled_refusal(&printed));
    }
    Ok(Check::Failed(Rejection {
        output: printed.trim_end().to_owned(),
        diagnostics,
    }))
}

/// Stands in for the alert when HAProxy refuses without printing one.
///
/// A config without any listener is one such case: HAProxy 2.6 prints
/// "Configuration file has no error but will not start (no listener)" and
/// exits with 2. It would indeed not start, so the config is refused, and
/// that last line is what explains it.
fn unlabelled_refusal(printed: &str) -> Diagnostic {
    let last = printed
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .unwrap_or_default();
    Diagnostic {
        severity: Severity::Alert,
        message: last.to_owned(),
        file: None,
        line: None,
        source_line: None,
        proxy: None,
    }
}

/// Replaces each live map path in `config` with its candidate path.
///
/// A match counts only as a whole path: `/d/x.map` inside `/d/x.map.old`
/// or `/e/d/x.map` is left alone.
fn point_maps_at_candidates(config: &str, dir_in_config: &Path, maps: &[(&str, &Path)]) -> String {
    let mut text = config.to_owned();
    for (name, candidate) in maps {
        // A non-UTF-8 directory cannot occur in a String config, so such a
        // map has no reference to rewrite.
        let Some(live) = dir_in_config.join(name).to_str().map(str::to_owned) else {
            continue;
        };
        text = replace_whole_path(&text, &live, &candidate.to_string_lossy());
    }
    text
}

fn replace_whole_path(text: &str, needle: &str, with: &str) -> String {
    let in_path = |c: char| c.is_ascii_alphanumeric() || "._-/~".contains(c);
    let in_name = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);

    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(needle) {
        let end = at + needle.len();
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        if before.is_some_and(in_path) || after.is_some_and(in_name) {
            continue;
        }
        out.push_str(&text[copied..at]);
        out.push_str(with);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// A file-name-safe form of a map name, for the candidate's file name;
/// only readability depends on it, uniqueness comes from the index.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_paths_are_rewritten_only_as_whole_paths() {
        let config = "\
use_backend %[req.hdr(host),lower,map(/etc/haproxy/domain2backend.map)]
acl old path -f /etc/haproxy/domain2backend.map.old
acl other path -f /srv/etc/haproxy/domain2backend.map
use_backend %[path,map(/etc/haproxy/domain2backend.map,fallback)]
";
        let rewritten = point_maps_at_candidates(
            config,
            Path::new("/etc/haproxy"),
            &[("domain2backend.map", Path::new("/etc/haproxy/.d2b.new"))],
        );
        assert_eq!(
            rewritten,
            "\
use_backend %[req.hdr(host),lower,map(/etc/haproxy/.d2b.new)]
acl old path -f /etc/haproxy/domain2backend.map.old
acl other path -f /srv/etc/haproxy/domain2backend.map
use_backend %[path,map(/etc/haproxy/.d2b.new,fallback)]
"
        );
    }

    #[test]
    fn a_bare_config_name_means_bare_map_names() {
        let rewritten = point_maps_at_candidates(
            "map(app2backend.map)\n",
            Path::new(""),
            &[("app2backend.map", Path::new("/tmp/x/0.map"))],
        );
        assert_eq!(rewritten, "map(/tmp/x/0.map)\n");
    }
}
