//! Decoding an apps document as it is read, without holding all of it.
//!
//! A 20,000-app answer of Marathon is about 50 MB. Read whole, it sits in
//! memory next to the apps decoded from it; decoded as it is read, only a
//! few megabytes of it are held at a time. This way knows only the plain
//! shapes Marathon sends, `{"apps": [...]}` and `[...]`, every app well
//! typed; for anything else it gives up, and the caller decodes the whole
//! text with [`decode_apps`](crate::wire::decode_apps), which alone decides
//! what is wrong and how to report it. So both ways give the same apps.

use std::io::Read;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use crate::wire::{App, DecodedApps};

/// How much is read at a time.
const CHUNK: usize = 1 << 20;

/// How many chunks may wait, read and checked, for the decoder.
const AHEAD: usize = 2;

/// Why the reading stopped before the end.
enum Stop {
    /// Reading failed.
    Io(std::io::Error),
    /// The text is not a plain, well-typed apps document.
    Irregular,
}

impl From<std::io::Error> for Stop {
    fn from(err: std::io::Error) -> Self {
        Stop::Io(err)
    }
}

/// Decodes the apps document that `reader` gives, as it reads it.
///
/// Gives `Ok(None)` when the text is anything but a plain apps document
/// whose every app decodes (not UTF-8, not JSON, an app of the wrong
/// shape, a field next to `apps`...): the caller should then read the
/// whole text and decode it with [`decode_apps`](crate::wire::decode_apps).
/// Nothing of the text is lost but what was read already.
///
/// The reading, and the check that the text is UTF-8, are done by a
/// thread of their own while the apps read so far are decoded: on a
/// 20,000-app document they are about a tenth of the work.
pub fn decode_apps_from_reader(reader: impl Read + Send) -> std::io::Result<Option<DecodedApps>> {
    let mut apps = Vec::new();
    let plain = for_each_app_from_reader(reader, |app| apps.push(app))?;
    Ok(plain.then_some(DecodedApps {
        apps,
        rejected: Vec::new(),
    }))
}

/// Decodes the apps document that `reader` gives, as it reads it, as
/// [`decode_apps_from_reader`] does, and hands each app to `each` as soon
/// as it is decoded, in the order of the document.
///
/// Gives `Ok(true)` when every app of a plain document was handed over.
/// `Ok(false)` says the text is anything else: the apps handed over until
/// then are to be dropped, and the whole text decoded with
/// [`decode_apps`](crate::wire::decode_apps).
pub fn for_each_app_from_reader(
    reader: impl Read + Send,
    mut each: impl FnMut(App),
) -> std::io::Result<bool> {
    let decoded = std::thread::scope(|scope| {
        let (sender, chunks) = sync_channel(AHEAD);
        let (give_back, spares) = channel();
        scope.spawn(move || read_chunks(reader, &sender, &spares));
        // Dropping `chunks` when the decoding stops early makes the
        // reading thread stop at its next chunk.
        decode(&mut Input::new(chunks, give_back), &mut each)
    });
    match decoded {
        Ok(()) => Ok(true),
        Err(Stop::Irregular) => Ok(false),
        Err(Stop::Io(err)) => Err(err),
    }
}

/// Reads `reader` to its end in chunks of whole characters, and hands
/// them over until the decoder stops taking them. Ends with the first
/// failure: a read error, or text that is not UTF-8. The decoder gives
/// the chunks' buffers back in `spares`, so that the same few megabytes
/// are read into again and again rather than fresh pages every time.
fn read_chunks(
    mut reader: impl Read,
    chunks: &SyncSender<Result<String, Stop>>,
    spares: &Receiver<String>,
) {
    let mut raw: Vec<u8> = Vec::with_capacity(CHUNK);
    loop {
        let want = u64::try_from(CHUNK).unwrap_or(u64::MAX);
        let got = match (&mut reader).take(want).read_to_end(&mut raw) {
            Ok(got) => got,
            Err(err) => {
                let _ = chunks.send(Err(Stop::Io(err)));
                return;
            }
        };
        let done = got == 0;
        // A character may be cut by the end of a read: its first bytes
        // wait for the next read.
        let whole = match std::str::from_utf8(&raw) {
            Ok(text) => text.len(),
            Err(err) if err.error_len().is_none() && !done => err.valid_up_to(),
            Err(_) => {
                let _ = chunks.send(Err(Stop::Irregular));
                return;
            }
        };
        if done {
            return;
        }
        let mut next = spares.try_recv().map_or_else(
            |_| Vec::with_capacity(CHUNK),
            |spare| {
                let mut spare = spare.into_bytes();
                spare.clear();
                spare
            },
        );
        next.extend_from_slice(&raw[whole..]);
        raw.truncate(whole);
        let text =
            String::from_utf8(std::mem::replace(&mut raw, next)).map_err(|_| Stop::Irregular);
        if chunks.send(text).is_err() {
            return;
        }
    }
}

fn decode(input: &mut Input, each: &mut impl FnMut(App)) -> Result<(), Stop> {
    let bare = match input.peek()? {
        b'[' => true,
        b'{' => false,
        _ => return Err(Stop::Irregular),
    };
    input.pos += 1;
    if !bare {
        input.expect(b"\"apps\"")?;
        input.expect(b":")?;
        input.expect(b"[")?;
    }

    if input.peek()? == b']' {
        input.pos += 1;
    } else {
        loop {
            each(input.app()?);
            match input.peek()? {
                b',' => input.pos += 1,
                b']' => {
                    input.pos += 1;
                    break;
                }
                _ => return Err(Stop::Irregular),
            }
        }
    }

    if !bare {
        input.expect(b"}")?;
    }
    if input.skip_whitespace()? {
        return Err(Stop::Irregular);
    }
    Ok(())
}

/// The part of the text read and not yet decoded.
struct Input {
    /// Chunks of text from the reading thread.
    chunks: Receiver<Result<String, Stop>>,
    /// Where the chunks' buffers go back to the reading thread.
    give_back: Sender<String>,
    /// Text read so far, from the start of the app being decoded; always
    /// whole characters, checked to be UTF-8.
    text: String,
    /// Where decoding is in `text`.
    pos: usize,
    /// The reader has no more.
    done: bool,
}

impl Input {
    fn new(chunks: Receiver<Result<String, Stop>>, give_back: Sender<String>) -> Self {
        Input {
            chunks,
            give_back,
            text: String::with_capacity(2 * CHUNK),
            pos: 0,
            done: false,
        }
    }

    /// Takes more text: at least a chunk, and at least as much as is held
    /// already, so that an app bigger than a chunk is decoded again only
    /// a few times (each time it is cut short).
    fn fill(&mut self) -> Result<(), Stop> {
        self.text.drain(..self.pos);
        self.pos = 0;
        let want = CHUNK.max(self.text.len());
        let mut got = 0;
        while got < want {
            // An error of the channel means the reading thread is done,
            // all it read handed over.
            let Ok(chunk) = self.chunks.recv() else {
                self.done = true;
                break;
            };
            let chunk = chunk?;
            got += chunk.len();
            self.text.push_str(&chunk);
            // The reading thread may be gone already: then the buffer is
            // simply freed.
            let _ = self.give_back.send(chunk);
        }
        Ok(())
    }

    /// Skips JSON whitespace; whether anything follows it.
    fn skip_whitespace(&mut self) -> Result<bool, Stop> {
        loop {
            let rest = &self.text.as_bytes()[self.pos..];
            let blank = rest
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .count();
            self.pos += blank;
            if blank < rest.len() {
                return Ok(true);
            }
            if self.done {
                return Ok(false);
            }
            self.fill()?;
        }
    }

    /// The next byte after whitespace.
    fn peek(&mut self) -> Result<u8, Stop> {
        if !self.skip_whitespace()? {
            return Err(Stop::Irregular);
        }
        Ok(self.text.as_bytes()[self.pos])
    }

    /// Consumes `token` after whitespace.
    fn expect(&mut self, token: &[u8]) -> Result<(), Stop> {
        self.peek()?;
        while self.text.len() - self.pos < token.len() && !self.done {
            self.fill()?;
        }
        if !self.text.as_bytes()[self.pos..].starts_with(token) {
            return Err(Stop::Irregular);
        }
        self.pos += token.len();
        Ok(())
    }

    /// Decodes the app that starts here. An app cut by the end of what was
    /// read is decoded again once more is read.
    fn app(&mut self) -> Result<App, Stop> {
        loop {
            let mut stream =
                serde_json::Deserializer::from_str(&self.text[self.pos..]).into_iter::<App>();
            match stream.next() {
                Some(Ok(app)) => {
                    self.pos += stream.byte_offset();
                    return Ok(app);
                }
                Some(Err(err)) if err.is_eof() && !self.done => self.fill()?,
                _ => return Err(Stop::Irregular),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::decode_apps;

    /// Reads `text` a few bytes at a time, as a slow pipe would.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// The apps read from `text` at every read size, or `None` when every
    /// read size gave up; panics when two read sizes disagree.
    fn read(text: &str) -> Option<String> {
        let outcomes: Vec<Option<String>> = [1, 2, 3, 7, 64, CHUNK]
            .iter()
            .map(|&size| {
                decode_apps_from_reader(Trickle(text.as_bytes(), size))
                    .unwrap()
                    .map(|decoded| format!("{:?}", decoded.apps))
            })
            .collect();
        assert!(outcomes.windows(2).all(|w| w[0] == w[1]), "{text}");
        outcomes[0].clone()
    }

    #[test]
    fn plain_documents_decode_as_decode_apps_has_them() {
        for text in [
            r#"{"apps": []}"#,
            " [ ] ",
            "{\n \"apps\" :\t[{\"id\": \"/a\", \"labels\": {\"k\": \"\u{e9}\u{1f600}\"}}, \
             {\"id\": \"/b\", \"tasks\": [{\"id\": \"t\", \"ports\": [31000]}]}]\n}\n",
            r#"[{"id": "/a", "instances": 12}, {"id": "/b"}]"#,
        ] {
            let whole = format!("{:?}", decode_apps(text.as_bytes()).unwrap().apps);
            assert_eq!(read(text), Some(whole), "{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_decode_apps() {
        for text in [
            "",
            "null",
            r#"{"apps": null}"#,
            r#"{"other": 1, "apps": []}"#,
            r#"{"apps": [], "other": 1}"#,
            r#"{"apps": [{"id": "/a"},]}"#,
            r#"{"apps": [{"id": "/a"} {"id": "/b"}]}"#,
            r#"{"apps": [{"id": "/a", "instances": "many"}]}"#,
            r#"{"apps": [{"id": "/a"}]} x"#,
            r#"{"apps": [{"id": "/a"}]"#,
            r#"[{"id": "/a"}"#,
            r#"[{"id": "/a""#,
            "[1]",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
        let not_utf8 = b"[{\"id\": \"/a\", \"cmd\": \"\xff\"}]";
        assert!(decode_apps_from_reader(&not_utf8[..]).unwrap().is_none());
    }

    /// Gives its text, then fails.
    struct Broken<'a>(&'a [u8]);

    impl Read for Broken<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_is_reported_not_taken_for_the_end() {
        let err = decode_apps_from_reader(Broken(br#"{"apps": [{"id": "/a"}"#)).unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }
}
