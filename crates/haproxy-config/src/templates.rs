//! The template set: defaults, global overrides and per-service overrides.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use handlebars::Handlebars;

use crate::Error;
use crate::catalog::{TEMPLATES, TemplateSpec};
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
    /// One entry per template of [`TEMPLATES`], in the same order, so that
    /// a template is found by the position of its name there.
    global: Vec<(Template, Source)>,
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
        let mut global = Vec::with_capacity(TEMPLATES.len());
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
            let text = inline(spec, &text);
            let template = if source == Source::Default {
                Template::compile_default(&origin, &text, spec.placeholders)?
            } else {
                Template::compile(&origin, &text, spec.placeholders)?
            };
            global.push((template, source));
        }
        Ok(Templates {
            registry: registry(),
            global,
        })
    }

    /// Where each template's text came from, by template name.
    pub fn sources(&self) -> impl Iterator<Item = (&'static str, &Source)> {
        TEMPLATES
            .iter()
            .zip(&self.global)
            .map(|(spec, (_, source))| (spec.name, source))
    }

    pub(crate) fn registry(&self) -> &Handlebars<'static> {
        &self.registry
    }

    /// The template `id`, with its global override if any.
    pub(crate) fn global(&self, id: TemplateId) -> &Template {
        &self.global[id.0].0
    }
}

/// Per-service overrides compiled once per distinct text during a render.
///
/// Keyed by template name, then by text, so that a hit is found by the
/// label's text as it is, without a copy.
#[derive(Debug, Default)]
pub(crate) struct OverrideCache {
    compiled: HashMap<&'static str, HashMap<String, Result<Template, Error>>>,
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
        let short = spec.name.strip_prefix("HAPROXY_").unwrap_or(spec.name);
        let text = overrides.get(short)?;
        let by_text = self.compiled.entry(spec.name).or_default();
        if !by_text.contains_key(text.as_str()) {
            let template = Template::compile(&label(), &inline(spec, text), spec.placeholders);
            by_text.insert(text.clone(), template);
        }
        by_text.get(text.as_str()).map(Result::as_ref)
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

/// A template of [`TEMPLATES`], by its position there.
///
/// The renderer names a template for every line it writes, hundreds of
/// thousands of times per config: [`template_id!`] finds the position of a
/// name once, when the crate is compiled, so that a misspelt name fails
/// the build and naming a template costs nothing when rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TemplateId(usize);

impl TemplateId {
    /// The template called `name`. Meant for constant evaluation, through
    /// [`template_id!`]: it panics, failing the build, for an unknown name.
    pub(crate) const fn of(name: &str) -> TemplateId {
        let mut index = 0;
        while index < TEMPLATES.len() {
            if same_bytes(TEMPLATES[index].name.as_bytes(), name.as_bytes()) {
                return TemplateId(index);
            }
            index += 1;
        }
        panic!("no template of that name in TEMPLATES")
    }

    /// The template's entry in the catalogue.
    pub(crate) fn spec(self) -> &'static TemplateSpec {
        &TEMPLATES[self.0]
    }
}

/// Whether `a` and `b` are equal, in a constant context (where `==` on
/// slices is not available).
const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The [`TemplateId`] of a template name, found when the crate compiles.
macro_rules! template_id {
    ($name:literal) => {
        const { $crate::templates::TemplateId::of($name) }
    };
}
pub(crate) use template_id;

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
            .global(template_id!("HAPROXY_BACKEND_HEAD"))
            .render(templates.registry(), &[("backend", "b")], &mut out)
            .unwrap();
        assert_eq!(out, "env b\n");
    }

    /// Renders the default of `spec` through handlebars and by
    /// substitution, each placeholder taking the next of `values`; gives
    /// each way's outcome and what it left in a buffer that held `kept`.
    fn both_ways(spec: &TemplateSpec, values: &[String]) -> [(Result<(), String>, String); 2] {
        let text = inline(spec, spec.default);
        let handlebars = Template::compile("t", &text, spec.placeholders).unwrap();
        let direct = Template::compile_default("t", &text, spec.placeholders).unwrap();
        assert_eq!(direct.renders_directly(), !spec.placeholders.is_empty());
        let vars: Vec<(&str, &str)> = spec
            .placeholders
            .iter()
            .zip(values.iter().cycle())
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        [handlebars, direct].map(|template| {
            let mut out = "kept".to_owned();
            let result = template.render(&registry(), &vars, &mut out);
            (result.map_err(|err| err.to_string()), out)
        })
    }

    #[test]
    fn defaults_render_alike_by_substitution_and_through_handlebars() {
        let tricky = [
            "",
            "web_10000",
            "{backend}",
            "{{x}} }} {{",
            "a\\b\\",
            "<&>\"'",
            "\u{e9}\u{20ac}\u{1f600}",
            "tab\there",
            "{{mlb_lbrace}}",
            "line\nbreak",
            "del\u{7f}",
        ];
        for spec in TEMPLATES {
            for (n, value) in tricky.iter().enumerate() {
                let mut values: Vec<String> = tricky.iter().map(|v| (*v).to_owned()).collect();
                values.rotate_left(n);
                let [handlebars, direct] = both_ways(spec, &values);
                assert_eq!(handlebars, direct, "{} with {value:?} first", spec.name);
            }
            // A placeholder without a value renders empty both ways.
            let [handlebars, direct] = both_ways(spec, &[]);
            assert_eq!(handlebars, direct, "{} without values", spec.name);
        }
    }

    #[test]
    fn only_default_templates_skip_handlebars() {
        let env = |name: &str| (name == "HAPROXY_BACKEND_HEAD").then(|| "b {backend}".to_owned());
        let templates = Templates::load(env, None).unwrap();
        assert!(
            !templates
                .global(template_id!("HAPROXY_BACKEND_HEAD"))
                .renders_directly()
        );
        assert!(
            templates
                .global(template_id!("HAPROXY_FRONTEND_HEAD"))
                .renders_directly()
        );
    }

    proptest::proptest! {
        #[test]
        fn defaults_render_alike_for_any_values(
            index in 0..TEMPLATES.len(),
            values in proptest::collection::vec(proptest::prelude::any::<String>(), 1..12),
        ) {
            let [handlebars, direct] = both_ways(&TEMPLATES[index], &values);
            proptest::prop_assert_eq!(handlebars, direct);
        }

        #[test]
        fn defaults_render_alike_for_any_template_like_values(
            index in 0..TEMPLATES.len(),
            values in proptest::collection::vec("[{}\\\\a-z0-9 _./:<>&\"'\t]{0,16}", 1..12),
        ) {
            let [handlebars, direct] = both_ways(&TEMPLATES[index], &values);
            proptest::prop_assert_eq!(handlebars, direct);
        }
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
