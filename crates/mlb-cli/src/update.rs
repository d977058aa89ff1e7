//! One update: fetch the apps, render, leave out the apps HAProxy refuses, apply.
//!
//! An [`Updater`] lives as long as the daemon and carries what one update
//! must know about the ones before it: the health answers of
//! `--health-check`, the warnings already logged, the failure already
//! reported, the apps last found to break the config, and a reload that
//! still has to happen.
//!
//! Whatever goes wrong, the config HAProxy runs stays as it is: a failed
//! fetch, a render error or a config HAProxy refuses end the update before
//! anything is written. Each kind of failure is logged once when it
//! starts, again only when it changes, and its end is logged at info.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash as _, Hasher as _};
use std::time::{Duration, Instant};

use haproxy_config::Templates;
use lb_model::HealthMemory;
use marathon_client::Client;
use marathon_client::wire::{App, RejectedApp};

use crate::apply::{self, ApplyError, ApplyOptions, Diagnostic, Outcome, Rejection, RenderedFiles};
use crate::bisect::{self, Verdict};
use crate::culprits;
use crate::render::{self, RenderFlags, SystemResolver};
use crate::warnings::WarningMemory;
use crate::{debug, error, info, warn};

/// How an update ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A new config is live (or, in a dry run, would be).
    Applied,
    /// The config on disk already was the rendered one.
    Unchanged,
    /// Nothing changed on disk because something failed; it is logged.
    Failed,
}

/// What kind of failure is going on, so that it is logged once.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// Marathon could not be reached or answered garbage.
    Marathon,
    /// Something else, identified by the text it was logged with.
    Other(String),
}

/// The apps found to break the config, for the cluster state they were
/// found in.
#[derive(Debug)]
struct KnownBad {
    /// The hash of the full render they were found in.
    render_hash: u64,
    /// Their load-balancer ids.
    apps: BTreeSet<String>,
    /// One warning per app: key and text.
    warnings: BTreeMap<String, String>,
}

/// Runs updates, remembering what the next one needs.
pub struct Updater {
    client: Client,
    flags: RenderFlags,
    options: ApplyOptions,
    cleanup: bool,
    memory: HealthMemory,
    warnings: WarningMemory,
    failure: Option<(Failure, Instant)>,
    known_bad: Option<KnownBad>,
    reload_pending: bool,
    /// The hash of the last config a dry run reported as a change.
    last_dry_run: Option<u64>,
}

impl Updater {
    /// An updater fetching with `client`, rendering with `flags` and
    /// applying with `options`; `cleanup` turns on the search for apps that
    /// break the config.
    #[must_use]
    pub fn new(client: Client, flags: RenderFlags, options: ApplyOptions, cleanup: bool) -> Self {
        Updater {
            client,
            flags,
            options,
            cleanup,
            memory: HealthMemory::default(),
            warnings: WarningMemory::default(),
            failure: None,
            known_bad: None,
            reload_pending: false,
            last_dry_run: None,
        }
    }

    /// The options updates are applied with.
    #[must_use]
    pub fn options(&self) -> &ApplyOptions {
        &self.options
    }

    /// Fetches every app from Marathon and makes HAProxy run their config.
    pub fn update(&mut self) -> Status {
        let fetched = match self.client.fetch_decoded_apps() {
            Ok(decoded) => decoded,
            Err(err) => {
                self.fail(
                    Failure::Marathon,
                    &format!(
                        "marathon unreachable, keeping the current config: {}",
                        chain(&err)
                    ),
                );
                return Status::Failed;
            }
        };
        if let Some((Failure::Marathon, since)) = &self.failure {
            info!("marathon answers again after {}", seconds(since.elapsed()));
            self.failure = None;
        }

        // Templates are read on every update so that a fixed template file
        // takes effect without a restart.
        let templates = match self.flags.load_templates() {
            Ok(templates) => templates,
            Err(err) => {
                self.fail_other(&format!(
                    "global templates do not load, keeping the current config: {}",
                    chain(&err)
                ));
                return Status::Failed;
            }
        };

        let started = Instant::now();
        let full = match self.render(&fetched.apps, &BTreeSet::new(), &templates, true) {
            Ok(rendered) => rendered,
            Err(text) => {
                self.fail_other(&text);
                return Status::Failed;
            }
        };
        let mut notes = left_out(&fetched.rejected, &full);
        let full_files = files(&full.rendered, self.flags.haproxy_map);
        let full_hash = hash(&full_files);

        // The apps found bad last time stay out while the cluster renders
        // to the same config; any change searches again from scratch.
        let mut excluded = BTreeSet::new();
        let mut candidate = full_files;
        let mut services = full.services;
        match &self.known_bad {
            Some(known) if known.render_hash == full_hash => {
                excluded.clone_from(&known.apps);
                match self.render(&fetched.apps, &excluded, &templates, false) {
                    Ok(rendered) => {
                        candidate = files(&rendered.rendered, self.flags.haproxy_map);
                        services = rendered.services;
                    }
                    Err(text) => {
                        self.fail_other(&text);
                        return Status::Failed;
                    }
                }
            }
            _ => self.known_bad = None,
        }
        let render_took = started.elapsed();

        let mut outcome = apply::apply(&candidate, &self.options);
        if let Ok(Outcome::Rejected(rejection)) = &outcome {
            if !excluded.is_empty() {
                // The apps found bad before are out and HAProxy still
                // refuses (a new HAProxy, a changed file the config
                // includes): search afresh next time instead of repeating
                // a verdict that no longer holds. Its warnings stay for
                // this update: the apps are still out.
                if let Some(known) = self.known_bad.take() {
                    notes.extend(known.warnings);
                }
            } else if self.cleanup {
                match self.find_bad_apps(&fetched.apps, &templates, rejection, full_hash) {
                    Ok(Some((bad, files, count))) => {
                        excluded = bad;
                        candidate = files;
                        services = count;
                        outcome = apply::apply(&candidate, &self.options);
                    }
                    Ok(None) => {}
                    Err(text) => {
                        self.note(notes);
                        self.fail_other(&text);
                        return Status::Failed;
                    }
                }
            }
        }
        if let Some(known) = &self.known_bad {
            notes.extend(known.warnings.clone());
        }
        self.note(notes);

        if let Ok(Outcome::WouldApply { .. }) = &outcome {
            // Nothing is written in a dry run, so every update would
            // report the same change again: report each config once.
            let seen = self.last_dry_run.replace(hash(&candidate));
            if seen == self.last_dry_run {
                debug!("dry run: the config would still change");
                return Status::Applied;
            }
        }
        self.finish(outcome, services, excluded.len(), render_took)
    }

    /// Logs and judges the outcome of applying the candidate.
    fn finish(
        &mut self,
        outcome: Result<Outcome, ApplyError>,
        services: usize,
        left_out: usize,
        render_took: Duration,
    ) -> Status {
        let status = match outcome {
            Ok(Outcome::Unchanged) => {
                debug!("config unchanged");
                if self.reload_pending {
                    match apply::reload(&self.options) {
                        Ok(_) => {
                            info!("reloaded haproxy, which an earlier update could not");
                            self.reload_pending = false;
                        }
                        Err(err) => {
                            self.fail_other(&format!("reload failed: {}", chain(&err)));
                            return Status::Failed;
                        }
                    }
                }
                Status::Unchanged
            }
            Ok(Outcome::Applied(applied)) => {
                self.reload_pending = false;
                let reload = match applied.reload {
                    Some(reload) => format!(
                        "reload took {} ({} attempt{})",
                        seconds(reload.took),
                        reload.attempts,
                        if reload.attempts == 1 { "" } else { "s" }
                    ),
                    None => "no reload command".to_owned(),
                };
                info!(
                    "applied new config: {services} services, {left_out} apps left out, \
                     render took {}, {reload}",
                    seconds(render_took)
                );
                for warning in &applied.warnings {
                    warn!("haproxy warns about the new config: {}", describe(warning));
                }
                Status::Applied
            }
            Ok(Outcome::WouldApply { .. }) => {
                info!(
                    "dry run: the config would change ({services} services, {left_out} apps left out)"
                );
                Status::Applied
            }
            Ok(Outcome::Rejected(rejection)) => {
                self.fail_other(&format!(
                    "haproxy refuses the new config, keeping the current one: {}",
                    first_alert(&rejection)
                ));
                return Status::Failed;
            }
            Err(err) => {
                if matches!(err, ApplyError::Reload { .. }) {
                    // The files are in place, so the next update finds
                    // them unchanged: remember to reload then.
                    self.reload_pending = true;
                }
                self.fail_other(&format!(
                    "applying the new config failed: {}",
                    describe_apply_error(&err)
                ));
                return Status::Failed;
            }
        };
        if let Some((_, since)) = self.failure.take() {
            info!("updates work again after {}", seconds(since.elapsed()));
        }
        status
    }

    /// Searches the apps that make HAProxy refuse the config; returns them
    /// with the config rendered without them, or `None` when no app is to
    /// blame (the failure is then logged by the caller from the outcome).
    fn find_bad_apps(
        &mut self,
        apps: &[App],
        templates: &Templates,
        rejection: &Rejection,
        full_hash: u64,
    ) -> Result<Option<(BTreeSet<String>, RenderedFiles, usize)>, String> {
        let ids = culprits::lb_app_ids(apps);
        let suspects = culprits::suspects(rejection, &ids);
        let started = Instant::now();

        // The render closure cannot fail, so a render error is kept aside
        // and turned into a config HAProxy refuses.
        let mut render_error = None;
        let options = self.options.clone();
        let bisection = {
            let render =
                |excluded: &BTreeSet<String>| match self.render(apps, excluded, templates, false) {
                    Ok(rendered) => files(&rendered.rendered, self.flags.haproxy_map),
                    Err(text) => {
                        render_error.get_or_insert(text);
                        RenderedFiles {
                            config: "render failed\n".to_owned(),
                            maps: Vec::new(),
                        }
                    }
                };
            let check = |files: &RenderedFiles| {
                apply::check(files, &options).map(|check| check.into_result().map(drop))
            };
            bisect::find_bad_apps(&ids, &suspects, render, check)
        };
        if let Some(text) = render_error {
            return Err(text);
        }
        let bisection = bisection.map_err(|err| {
            format!(
                "cannot check configs for bad apps: {}",
                describe_apply_error(&err)
            )
        })?;

        let bad = match bisection.verdict {
            Verdict::Clean => return Ok(None),
            Verdict::HeadBroken(failure) => {
                return Err(format!(
                    "haproxy refuses the config even with every app left out (a global \
                     template is broken), keeping the current config: {}",
                    first_alert(&failure)
                ));
            }
            Verdict::BadApps(bad) => bad,
        };

        info!(
            "found {} app{} breaking the config in {} haproxy checks ({})",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" },
            bisection.checks,
            seconds(started.elapsed())
        );
        let mut warnings = BTreeMap::new();
        for app in &bad {
            warnings.insert(
                format!("bad app {}", app.app_id),
                format!(
                    "app {} left out: haproxy refuses its part of the config: {}",
                    app.app_id,
                    first_alert(&app.failure)
                ),
            );
        }
        let excluded: BTreeSet<String> = bad.into_iter().map(|app| app.app_id).collect();
        let rendered = self.render(apps, &excluded, templates, false)?;
        self.known_bad = Some(KnownBad {
            render_hash: full_hash,
            apps: excluded.clone(),
            warnings,
        });
        Ok(Some((
            excluded,
            files(&rendered.rendered, self.flags.haproxy_map),
            rendered.services,
        )))
    }

    /// Renders `apps` without `excluded`. Only the full render (`keep`)
    /// updates the health memory: the others see a part of the cluster
    /// and would make it forget the tasks of the apps left out.
    fn render(
        &mut self,
        apps: &[App],
        excluded: &BTreeSet<String>,
        templates: &Templates,
        keep: bool,
    ) -> Result<render::Outcome, String> {
        let mut scratch;
        let memory = if keep {
            &mut self.memory
        } else {
            scratch = self.memory.clone();
            &mut scratch
        };
        // A fresh resolver per render: its cache must not outlive a DNS
        // change.
        render::render_apps(
            culprits::without(apps, excluded),
            &self.flags,
            templates,
            &SystemResolver::default(),
            memory,
        )
        .map_err(|err| format!("render failed, keeping the current config: {}", chain(&err)))
    }

    /// Logs the warnings that appeared since the last update, and those
    /// that cleared.
    fn note(&mut self, notes: BTreeMap<String, String>) {
        let changes = self.warnings.update(notes);
        for text in changes.appeared {
            warn!("{text}");
        }
        for text in changes.cleared {
            info!("resolved: {text}");
        }
    }

    fn fail(&mut self, failure: Failure, text: &str) {
        let level_is_error = failure != Failure::Marathon;
        match &self.failure {
            Some((current, _)) if *current == failure => debug!("still failing: {text}"),
            _ => {
                if level_is_error {
                    error!("{text}");
                } else {
                    warn!("{text}");
                }
                let since = self
                    .failure
                    .as_ref()
                    .map_or_else(Instant::now, |(_, since)| *since);
                self.failure = Some((failure, since));
            }
        }
    }

    fn fail_other(&mut self, text: &str) {
        self.fail(Failure::Other(text.to_owned()), text);
    }
}

/// What the decoder, the model and the renderer left out, as warnings keyed
/// by their own text.
fn left_out(rejected: &[RejectedApp], full: &render::Outcome) -> BTreeMap<String, String> {
    let rejected = rejected
        .iter()
        .map(|app| format!("app {} left out: {}", app.app, app.reason));
    let model = full.model_warnings.iter().map(ToString::to_string);
    let skipped = full
        .rendered
        .warnings
        .iter()
        .map(|skipped| format!("{skipped}; service left out"));
    rejected
        .chain(model)
        .chain(skipped)
        .map(|text| (text.clone(), text))
        .collect()
}

/// The files to apply: the config, and the maps when `--haproxy-map` is on.
fn files(rendered: &haproxy_config::Rendered, with_maps: bool) -> RenderedFiles {
    let maps = if with_maps {
        vec![
            ("domain2backend.map".to_owned(), rendered.domain_map.clone()),
            ("app2backend.map".to_owned(), rendered.app_map.clone()),
        ]
    } else {
        Vec::new()
    };
    RenderedFiles {
        config: rendered.config.clone(),
        maps,
    }
}

/// A fingerprint of a render, to recognise the same cluster state again.
fn hash(files: &RenderedFiles) -> u64 {
    // `DefaultHasher::new` uses fixed keys, so equal renders hash equally
    // for the life of the process; a collision would only make the daemon
    // apply a config without apps it found bad, which is checked anyway.
    let mut hasher = DefaultHasher::new();
    files.config.hash(&mut hasher);
    files.maps.hash(&mut hasher);
    hasher.finish()
}

/// The first alert of a rejection, described.
fn first_alert(rejection: &Rejection) -> String {
    rejection
        .alerts()
        .next()
        .map_or_else(|| rejection.output.clone(), describe)
}

/// HAProxy's message without the path of the temporary file it checked,
/// followed by the config line it points at.
#[must_use]
pub fn describe(diagnostic: &Diagnostic) -> String {
    let message = strip_location(&diagnostic.message);
    match (&diagnostic.line, &diagnostic.source_line) {
        (Some(line), Some(source)) => format!("{message} (line {line}: {:?})", source.trim()),
        _ => message.to_owned(),
    }
}

/// Drops a leading `parsing [path:line] :` or `[path:line] :`: the path is
/// a temporary file that no longer exists.
fn strip_location(message: &str) -> &str {
    let located = message.to_ascii_lowercase().starts_with("parsing [") || message.starts_with('[');
    let Some(close) = message.find(']').filter(|_| located) else {
        return message;
    };
    let rest = message[close + 1..].trim_start();
    rest.strip_prefix(':').map_or(rest, str::trim_start)
}

fn describe_apply_error(err: &ApplyError) -> String {
    match err {
        ApplyError::Reload { output, .. } if !output.trim().is_empty() => {
            format!("{}: {}", chain(err), output.trim())
        }
        _ => chain(err),
    }
}

/// An error and its causes on one line.
#[must_use]
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A duration as seconds with millisecond precision, `1.250 s`.
#[must_use]
pub fn seconds(duration: Duration) -> String {
    format!("{:.3} s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::{CheckedFile, Severity};

    fn alert(message: &str, line: Option<usize>, source: Option<&str>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Alert,
            message: message.to_owned(),
            file: Some(CheckedFile::Config),
            line,
            source_line: source.map(str::to_owned),
            proxy: None,
        }
    }

    #[test]
    fn descriptions_drop_the_temporary_path_and_quote_the_line() {
        let found = describe(&alert(
            "parsing [/tmp/x/.mlb-1-2.check.cfg:57] : 'balance' only supports 'roundrobin'",
            Some(57),
            Some("  balance nosuchalgo"),
        ));
        assert_eq!(
            found,
            "'balance' only supports 'roundrobin' (line 57: \"balance nosuchalgo\")"
        );
    }

    #[test]
    fn descriptions_without_location_stay_as_haproxy_wrote_them() {
        let found = describe(&alert(
            "Proxy 'f': unable to find required use_backend: 'x'.",
            None,
            None,
        ));
        assert_eq!(
            found,
            "Proxy 'f': unable to find required use_backend: 'x'."
        );
    }

    #[test]
    fn equal_renders_hash_equally_and_different_ones_do_not() {
        let a = RenderedFiles {
            config: "global\n".to_owned(),
            maps: vec![("m".to_owned(), "x y\n".to_owned())],
        };
        let mut b = a.clone();
        assert_eq!(hash(&a), hash(&b));
        b.maps[0].1.push('z');
        assert_ne!(hash(&a), hash(&b));
    }
}
