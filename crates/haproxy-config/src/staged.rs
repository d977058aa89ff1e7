//! A render whose config is kept in parts, to be written out without
//! ever being held whole.

use crate::order::{RuleOrder, Sink};
use crate::render::SkippedService;

/// A render done but for joining the config: everything that can fail has
/// been done, and writing the config out only copies it.
///
/// The config of a large cluster is tens of megabytes. [`crate::render`]
/// joins it into one `String`; [`StagedConfig::write_to`] writes it to a
/// file or a stream part by part instead, so that it is never held twice
/// and never held whole.
#[derive(Debug)]
pub struct Staged {
    /// The HAProxy config, in parts.
    pub config: StagedConfig,
    /// `domain2backend.map`: `vhost backend` lines (with map mode).
    pub domain_map: String,
    /// `app2backend.map`: `app-id backend` lines (with map mode).
    pub app_map: String,
    /// Services left out, and why.
    pub warnings: Vec<SkippedService>,
}

/// The parts of a config, in order; the rule lines of each section are put
/// in order as they are written out (see `order.rs`).
#[derive(Debug, Default)]
pub struct StagedConfig {
    parts: Vec<String>,
}

impl StagedConfig {
    /// Adds `part` after the others.
    pub(crate) fn push(&mut self, part: String) {
        self.parts.push(part);
    }

    /// Adds the chunks of `text` after the others.
    pub(crate) fn extend(&mut self, text: Chunks) {
        self.parts.extend(text.chunks);
    }

    /// The length of the config in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.parts.iter().map(String::len).sum()
    }

    /// Whether the config is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(String::is_empty)
    }

    /// Writes the config to `out`, each part freed once written. `out` is
    /// written in pieces of every size: give it a buffer.
    ///
    /// # Errors
    ///
    /// The first error of `out`.
    pub fn write_to(self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        self.write_to_sink(IoSink(out)).map(drop)
    }

    /// The config as one `String`.
    pub(crate) fn into_string(self) -> String {
        let config = String::with_capacity(self.len());
        let Ok(config) = self.write_to_sink(config);
        config
    }

    fn write_to_sink<S: Sink>(self, sink: S) -> Result<S, S::Error> {
        let mut order = RuleOrder::new(sink);
        for part in self.parts {
            order.push(&part)?;
        }
        order.finish()
    }
}

/// A long text kept in chunks of about [`Chunks::SIZE`] bytes.
///
/// The frontends and backends of a large cluster are megabytes each, and
/// grow by a few hundred bytes per service. In one `String` they would be
/// copied each time its capacity doubles, and hold up to twice their size;
/// in chunks, no byte is copied twice and at most one chunk is part empty
/// (and the end of each chunk, below the size of one service's text).
#[derive(Debug, Default)]
pub(crate) struct Chunks {
    chunks: Vec<String>,
}

impl Chunks {
    /// The size of a chunk; a text longer than that gets a chunk of its own.
    const SIZE: usize = 64 * 1024;

    /// Appends the chunks of `later`.
    pub(crate) fn append(&mut self, later: Chunks) {
        self.chunks.extend(later.chunks);
    }

    /// Appends `text`.
    pub(crate) fn push_str(&mut self, text: &str) {
        match self.chunks.last_mut() {
            Some(last) if last.capacity() - last.len() >= text.len() => last.push_str(text),
            _ => {
                let mut chunk = String::with_capacity(text.len().max(Self::SIZE));
                chunk.push_str(text);
                self.chunks.push(chunk);
            }
        }
    }
}

/// A [`Sink`] writing to an [`std::io::Write`].
struct IoSink<'w, W>(&'w mut W);

impl<W: std::io::Write> Sink for IoSink<'_, W> {
    type Error = std::io::Error;

    fn put(&mut self, text: &str) -> Result<(), Self::Error> {
        self.0.write_all(text.as_bytes())
    }
}
