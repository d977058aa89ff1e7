//! One template: marathon-lb's syntax compiled into a handlebars template.
//!
//! marathon-lb templates are Python format strings: `{name}` is a
//! placeholder and `{{`, `}}` are literal braces. Operators have years of
//! overrides written that way, so mlb reads the same syntax and translates
//! it into handlebars once, when the template is loaded: placeholders become
//! `{{name}}`, and the two characters of literal text that handlebars
//! could misread, `{` and `\\`, are emitted through the constants
//! `mlb_lbrace` and `mlb_backslash`.

use handlebars::{Context, Handlebars, Output, RenderContext, Renderable};

use crate::Error;

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Where the text came from, for messages: a template name, an
    /// environment variable, a file or a label.
    origin: String,
    /// The placeholders the text uses, in order of first use.
    used: Vec<String>,
    body: Body,
    /// For default templates only: the text as literal runs and
    /// placeholders, rendered by substitution without handlebars.
    direct: Option<Vec<Segment>>,
    /// The length of the literal runs of `direct`, reserved in the output
    /// at once rather than grown into piece by piece.
    direct_len: usize,
}

/// A run of a default template, ready for substitution.
#[derive(Debug, Clone)]
enum Segment {
    /// Literal text, braces already undoubled.
    Text(Box<str>),
    /// The placeholder `used[n]`.
    Value(usize),
}

impl Segment {
    /// The length of a literal run; placeholders count 0.
    fn len(&self) -> usize {
        match self {
            Segment::Text(text) => text.len(),
            Segment::Value(_) => 0,
        }
    }
}

#[derive(Debug, Clone)]
enum Body {
    /// A template without placeholders, emitted as it is. marathon-lb does
    /// not format those either, so their braces are literal.
    Literal(String),
    Compiled(Box<handlebars::Template>),
}

/// A run of a marathon-lb template.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(String),
    Placeholder(&'a str),
}

/// Splits marathon-lb template text into literal text and placeholders.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        literal.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{") {
            literal.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            literal.push('}');
            rest = after;
        } else if tail.starts_with('}') {
            return Err("a single '}' must be written '}}'".to_owned());
        } else {
            let end = tail
                .find('}')
                .ok_or("a '{' is never closed (write '{{' for a brace)")?;
            let name = &tail[1..end];
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(format!("{{{name}}} is not a placeholder name"));
            }
            if !literal.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut literal)));
            }
            out.push(Piece::Placeholder(name));
            rest = &tail[end + 1..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Piece::Text(literal));
    }
    Ok(out)
}

impl Template {
    /// Compiles `text`, written in marathon-lb's syntax, allowing only the
    /// placeholders in `allowed`. A template that names no placeholder in
    /// `allowed` is taken literally, as marathon-lb does.
    pub fn compile(origin: &str, text: &str, allowed: &[&str]) -> Result<Template, Error> {
        Template::compile_with(origin, text, allowed, false)
    }

    /// Compiles one of the built-in default templates. It renders exactly
    /// as [`Template::compile`]'s handlebars template would, by plain
    /// substitution: a config renders hundreds of thousands of templates,
    /// nearly all of them defaults, and a handlebars context per call costs
    /// more than the rest of the render. Operators' text always goes
    /// through handlebars.
    pub(crate) fn compile_default(
        origin: &str,
        text: &str,
        allowed: &[&str],
    ) -> Result<Template, Error> {
        Template::compile_with(origin, text, allowed, true)
    }

    fn compile_with(
        origin: &str,
        text: &str,
        allowed: &[&str],
        direct: bool,
    ) -> Result<Template, Error> {
        let invalid = |reason: String| Error::Template {
            origin: origin.to_owned(),
            reason,
        };
        if allowed.is_empty() {
            return Ok(Template {
                origin: origin.to_owned(),
                used: Vec::new(),
                body: Body::Literal(text.to_owned()),
                direct: None,
                direct_len: 0,
            });
        }

        let pieces = pieces(text).map_err(invalid)?;
        let mut source = String::with_capacity(text.len() + 16);
        let mut used: Vec<String> = Vec::new();
        for piece in &pieces {
            match piece {
                Piece::Placeholder(name) => {
                    if !allowed.contains(name) {
                        return Err(invalid(format!(
                            "unknown placeholder {{{name}}}; this template knows {}",
                            allowed
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                    if !used.iter().any(|u| u == name) {
                        used.push((*name).to_owned());
                    }
                    source.push_str("{{");
                    source.push_str(name);
                    source.push_str("}}");
                }
                Piece::Text(text) => {
                    for c in text.chars() {
                        match c {
                            '{' => source.push_str(concat!("{{", "mlb_lbrace", "}}")),
                            '\\' => source.push_str(concat!("{{", "mlb_backslash", "}}")),
                            c => source.push(c),
                        }
                    }
                }
            }
        }

        let compiled = handlebars::Template::compile(&source)
            .map_err(|err| invalid(format!("handlebars rejected the translation: {err}")))?;
        let direct = direct.then(|| segments(pieces, &used));
        let direct_len = direct.iter().flatten().map(Segment::len).sum();
        Ok(Template {
            origin: origin.to_owned(),
            used,
            body: Body::Compiled(Box::new(compiled)),
            direct,
            direct_len,
        })
    }

    /// Where the template's text came from.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The placeholders the template uses.
    #[must_use]
    pub fn used(&self) -> &[String] {
        &self.used
    }

    /// Whether the template renders by substitution, without handlebars.
    #[cfg(test)]
    pub(crate) fn renders_directly(&self) -> bool {
        self.direct.is_some()
    }

    /// Renders into `out` with the placeholder values of `vars`.
    pub(crate) fn render<V: AsRef<str>>(
        &self,
        registry: &Handlebars<'_>,
        vars: &[(&str, V)],
        out: &mut String,
    ) -> Result<(), Error> {
        let compiled = match &self.body {
            Body::Literal(text) => {
                out.push_str(text);
                return Ok(());
            }
            Body::Compiled(compiled) => compiled,
        };
        if let Some(segments) = &self.direct {
            return self.substitute(segments, vars, out);
        }

        // Only the placeholders the template uses go into its context.
        let mut map = serde_json::Map::with_capacity(self.used.len() + 2);
        map.insert(
            "mlb_lbrace".to_owned(),
            serde_json::Value::String("{".to_owned()),
        );
        map.insert(
            "mlb_backslash".to_owned(),
            serde_json::Value::String("\\".to_owned()),
        );
        for name in &self.used {
            let value = self.value(vars, name, &mut 0)?;
            map.insert(name.clone(), serde_json::Value::String(value.to_owned()));
        }
        let context = Context::from(serde_json::Value::Object(map));
        let mut render_context = RenderContext::new(None);
        compiled
            .render(
                registry,
                &context,
                &mut render_context,
                &mut StringSink(out),
            )
            .map_err(|err| Error::Template {
                origin: self.origin.clone(),
                reason: err.to_string(),
            })
    }
}

impl Template {
    /// The value of placeholder `name` in `vars` (empty when absent).
    ///
    /// The search starts at `*next`, wrapping around, and leaves `*next`
    /// after the value found: the renderer lists the values of a template
    /// mostly in the order its text uses them, so that the next one is
    /// usually found at the first try. As `vars` names each placeholder
    /// once, where the search starts does not change what it finds.
    fn value<'v, V: AsRef<str>>(
        &self,
        vars: &'v [(&str, V)],
        name: &str,
        next: &mut usize,
    ) -> Result<&'v str, Error> {
        let start = (*next).min(vars.len());
        let is_name = |(key, _): &(&str, V)| *key == name;
        let found = vars[start..]
            .iter()
            .position(is_name)
            .map(|at| start + at)
            .or_else(|| vars[..start].iter().position(is_name));
        let value = found.map_or("", |at| {
            *next = at + 1;
            vars[at].1.as_ref()
        });
        // The model checks every value it takes from Marathon; this
        // guards the config against any other source: a value that
        // ended its line could write a directive of its own.
        #[expect(
            clippy::needless_bitwise_bool,
            reason = "no branch per byte, so that the scan below is vectorized"
        )]
        let control = |b: u8| (b < 0x20) & (b != b'\t') | (b == 0x7f);
        // A pass without early exit compiles to vector code; only a value
        // that has a control character is searched again for its place.
        if !value.bytes().fold(false, |seen, b| seen | control(b)) {
            return Ok(value);
        }
        let found = value.bytes().enumerate().find(|(_, b)| control(*b));
        if let Some((at, byte)) = found {
            return Err(Error::Template {
                origin: self.origin.clone(),
                reason: format!(
                    "the value of {{{name}}} has control character {:?} at byte {at}",
                    char::from(byte)
                ),
            });
        }
        Ok(value)
    }

    /// Renders a default template by substitution, with the result and
    /// the errors its handlebars translation would give: the values are
    /// checked in the same order, and nothing is written when one fails.
    fn substitute<V: AsRef<str>>(
        &self,
        segments: &[Segment],
        vars: &[(&str, V)],
        out: &mut String,
    ) -> Result<(), Error> {
        let start = out.len();
        out.reserve(self.direct_len);
        let mut next = 0;
        for segment in segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Value(n) => match self.value(vars, &self.used[*n], &mut next) {
                    Ok(value) => out.push_str(value),
                    Err(err) => {
                        out.truncate(start);
                        return Err(err);
                    }
                },
            }
        }
        Ok(())
    }
}

/// The segments of a compiled template's pieces; `used` holds every
/// placeholder they name.
fn segments(pieces: Vec<Piece<'_>>, used: &[String]) -> Vec<Segment> {
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => Segment::Text(text.into_boxed_str()),
            // `used` was built from these very pieces, so the name is there.
            Piece::Placeholder(name) => {
                Segment::Value(used.iter().position(|u| u == name).unwrap_or(0))
            }
        })
        .collect()
}

/// Lets handlebars write straight into the config being built.
struct StringSink<'a>(&'a mut String);

impl Output for StringSink<'_> {
    fn write(&mut self, seg: &str) -> Result<(), std::io::Error> {
        self.0.push_str(seg);
        Ok(())
    }
}

/// The registry every template renders with: strict, no HTML escaping.
pub(crate) fn registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.register_escape_fn(handlebars::no_escape);
    registry.set_strict_mode(true);
    registry
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, vars: &[(&str, &str)]) -> Result<String, Error> {
        let allowed: Vec<&str> = vars.iter().map(|(k, _)| *k).collect();
        let template = Template::compile("test", text, &allowed)?;
        let mut out = String::new();
        template.render(&registry(), vars, &mut out)?;
        Ok(out)
    }

    #[test]
    fn placeholders_and_doubled_braces_follow_marathon_lb() {
        let out = render(
            "use_backend {backend} if {{ ssl_fc_sni {hostname} }}\n",
            &[("backend", "web_80"), ("hostname", "a.example.com")],
        );
        assert_eq!(
            out.unwrap(),
            "use_backend web_80 if { ssl_fc_sni a.example.com }\n"
        );
    }

    #[test]
    fn braces_and_backslashes_next_to_placeholders_stay_literal() {
        let out = render(r"{{{x}}} \{x} \\{{x}}", &[("x", "X")]).unwrap();
        assert_eq!(out, r"{X} \X \\{x}");
    }

    #[test]
    fn values_are_found_in_any_order_and_used_again() {
        let allowed = ["a", "b", "c"];
        let template = Template::compile_default("t", "{b}{a}{b}{c}{a}", &allowed).unwrap();
        let mut out = String::new();
        let vars = [("a", "1"), ("b", "2"), ("c", "3")];
        template.render(&registry(), &vars, &mut out).unwrap();
        assert_eq!(out, "21231");
    }

    #[test]
    fn values_are_not_html_escaped() {
        assert_eq!(render("{v}", &[("v", "<a&b>\"")]).unwrap(), "<a&b>\"");
    }

    #[test]
    fn unknown_placeholders_and_unbalanced_braces_are_refused() {
        let unknown = Template::compile("HAPROXY_0_BACKEND_HEAD", "{nope}", &["backend"]);
        let message = unknown.unwrap_err().to_string();
        assert!(
            message.contains("HAPROXY_0_BACKEND_HEAD") && message.contains("{nope}"),
            "{message}"
        );
        for bad in ["{backend", "backend}", "{}", "{a b}"] {
            assert!(Template::compile("t", bad, &["backend"]).is_err(), "{bad}");
        }
    }

    #[test]
    fn templates_without_placeholders_are_literal() {
        let template = Template::compile("t", "if { ssl_fc }", &[]).unwrap();
        let mut out = String::new();
        template.render::<&str>(&registry(), &[], &mut out).unwrap();
        assert_eq!(out, "if { ssl_fc }");
    }
}
