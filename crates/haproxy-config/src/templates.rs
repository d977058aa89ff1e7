//! The template set: defaults, global overrides and per-service overrides.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use handlebars::Handlebars;

use crate::Error;
use crate::catalog::{TEMPLATES, TemplateSpec, spec};
use crate::template::{Template, registry};

/// Where a template's text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The built-in default.
    Default,
    /// The environment variable of the template's name.
    Environment,
    /// A file of the templates directory.
    File(std::path::PathBuf),
}

/// Every template, compiled, with the global overrides applied.
///
/// Global overrides come, for each template, from the environment variable
/// `HAPROXY_<NAME>` (a literal `\n` in it is a newline), else from a file
/// of that name in the templates directory, else the default applies.
/// Per-service overrides come from labels and are compiled when rendering.
#[derive(Debug)]
pub struct Templates {
    registry: Handlebars<'static>,
    global: BTreeMap<&'static str, (Template, Source)>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates::load(|_| None, None).unwrap_or_else(|err| {
            // The defaults are fixed text tested below; they always compile.
            unreachable!("a default template does not compile: {err}")
        })
    }
}

impl Templates {
    /// Loads the templates: `env` looks up environment variables, `dir` is
    /// the templates directory (a missing directory means no files).
    ///
    /// An override that does not compile fails the load, naming the
    /// variable or file: a broken global template must be fixed before any
    /// config is rendered.
    pub fn load(env: impl Fn(&str) -> Option<String>, dir: Option<&Path>) -> Result<Self, Error> {
        let mut global = BTreeMap::new();
        for spec in TEMPLATES {
            let (text, source) = if let Some(text) = env(spec.name) {
                (text.replace("\\n", "\n"), Source::Environment)
            } else if let Some(path) = dir.map(|dir| dir.join(spec.name)).filter(|p| p.is_file()) {
                let text =
                    std::fs::read_to_string(&path).map_err(|source| Error::ReadTemplate {
                        path: path.clone(),
                        source: source.into(),
                    })?;
                (text, Source::File(path))
            } else {
                (spec.default.to_owned(), Source::Default)
            };
            let origin = match &source {
                Source::Default => format!("default {}", spec.name),
                Source::Environment => format!("environment variable {}", spec.name),
                Source::File(path) => format!("file {}", path.display()),
            };
            let template = Template::compile(&origin, &inline(spec, &text), spec.placeholders)?;
            global.insert(spec.name, (template, source));
        }
        Ok(Templates {
            registry: registry(),
            global,
        })
    }

    /// Where each template's text came from, by template name.
    pub fn sources(&self) -> impl Iterator<Item = (&'static str, &Source)> {
        self.global
            .iter()
            .map(|(name, (_, source))| (*name, source))
    }

    pub(crate) fn registry(&self) -> &Handlebars<'static> {
        &self.registry
    }

    pub(crate) fn global(&self, name: &str) -> &Template {
        match self.global.get(name) {
            Some((template, _)) => template,
            // Names come from the renderer's own constants, all in TEMPLATES.
            None => unreachable!("no template named {name}"),
        }
    }
}

/// Per-service overrides compiled once per distinct text during a render.
#[derive(Debug, Default)]
pub(crate) struct OverrideCache {
    compiled: HashMap<(&'static str, String), Result<Template, Error>>,
}

impl OverrideCache {
    /// The label override of `name` for a service with `overrides`
    /// (keyed by name without `HAPROXY_`), compiled; `None` when the
    /// service has none.
    pub(crate) fn get(
        &mut self,
        spec: &'static TemplateSpec,
        overrides: &BTreeMap<String, String>,
        label: impl FnOnce() -> String,
    ) -> Option<Result<&Template, &Error>> {
        let text = overrides.get(spec.name.trim_start_matches("HAPROXY_"))?;
        let entry = self
            .compiled
            .entry((spec.name, text.clone()))
            .or_insert_with(|| Template::compile(&label(), &inline(spec, text), spec.placeholders));
        Some(entry.as_ref())
    }
}

/// The per-server health-check options go inside a `server` line: their
/// text is trimmed and, when not empty, put after one space, whatever the
/// template's own line breaks, as marathon-lb does.
fn inline<'a>(spec: &TemplateSpec, text: &'a str) -> std::borrow::Cow<'a, str> {
    let inline = matches!(
        spec.name,
        "HAPROXY_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS"
            | "HAPROXY_BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS"
    );
    let trimmed = text.trim();
    match (inline, trimmed.is_empty()) {
        (false, _) => text.into(),
        (true, true) => "".into(),
        (true, false) => format!(" {trimmed}").into(),
    }
}

/// The spec of a template the renderer names.
pub(crate) fn known(name: &str) -> &'static TemplateSpec {
    match spec(name) {
        Some(spec) => spec,
        None => unreachable!("no template named {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_compiles() {
        let templates = Templates::load(|_| None, None).unwrap();
        assert_eq!(templates.global.len(), TEMPLATES.len());
    }

    #[test]
    fn environment_wins_over_files_and_turns_backslash_n_into_newlines() {
        let dir = std::env::temp_dir().join(format!("mlb-templates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("HAPROXY_BACKEND_HEAD"), "file {backend}\n").unwrap();
        std::fs::write(dir.join("HAPROXY_FRONTEND_HEAD"), "file {backend}\n").unwrap();
        let env =
            |name: &str| (name == "HAPROXY_BACKEND_HEAD").then(|| "env {backend}\\n".to_owned());
        let templates = Templates::load(env, Some(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();

        let sources: BTreeMap<_, _> = templates.sources().collect();
        assert_eq!(sources["HAPROXY_BACKEND_HEAD"], &Source::Environment);
        assert!(matches!(sources["HAPROXY_FRONTEND_HEAD"], Source::File(_)));
        assert_eq!(sources["HAPROXY_USERLIST_HEAD"], &Source::Default);
        let mut out = String::new();
        templates
            .global("HAPROXY_BACKEND_HEAD")
            .render(templates.registry(), &[("backend", "b")], &mut out)
            .unwrap();
        assert_eq!(out, "env b\n");
    }

    #[test]
    fn a_broken_global_override_names_its_variable() {
        let env = |name: &str| (name == "HAPROXY_BACKEND_HEAD").then(|| "{oops}".to_owned());
        let message = Templates::load(env, None).unwrap_err().to_string();
        assert!(
            message.contains("environment variable HAPROXY_BACKEND_HEAD"),
            "{message}"
        );
    }
}
