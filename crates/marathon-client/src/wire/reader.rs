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

use crate::wire::{App, DecodedApps};

/// How much is read at a time, at least.
const CHUNK: usize = 1 << 20;

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
pub fn decode_apps_from_reader(reader: impl Read) -> std::io::Result<Option<DecodedApps>> {
    match decode(&mut Input::new(reader)) {
        Ok(apps) => Ok(Some(DecodedApps {
            apps,
            rejected: Vec::new(),
        })),
        Err(Stop::Irregular) => Ok(None),
        Err(Stop::Io(err)) => Err(err),
    }
}

fn decode<R: Read>(input: &mut Input<R>) -> Result<Vec<App>, Stop> {
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

    let mut apps = Vec::new();
    if input.peek()? == b']' {
        input.pos += 1;
    } else {
        loop {
            apps.push(input.app()?);
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
    Ok(apps)
}

/// The part of the text read and not yet decoded.
struct Input<R> {
    reader: R,
    /// Text read so far, from the start of the app being decoded; always
    /// whole characters, checked to be UTF-8.
    text: String,
    /// Where decoding is in `text`.
    pos: usize,
    /// Bytes read after the last whole character, and the read buffer.
    raw: Vec<u8>,
    /// The reader has no more.
    done: bool,
}

impl<R: Read> Input<R> {
    fn new(reader: R) -> Self {
        Input {
            reader,
            text: String::with_capacity(CHUNK),
            pos: 0,
            raw: Vec::with_capacity(CHUNK),
            done: false,
        }
    }

    /// Reads more text: at least a chunk, and at least as much as is held
    /// already, so that an app bigger than a chunk is read in a few steps.
    fn fill(&mut self) -> Result<(), Stop> {
        self.text.drain(..self.pos);
        self.pos = 0;
        let want = CHUNK.max(self.text.len());
        let got = (&mut self.reader)
            .take(u64::try_from(want).unwrap_or(u64::MAX))
            .read_to_end(&mut self.raw)?;
        self.done = got == 0;

        // A character may be cut by the end of a read: its first bytes
        // wait for the next read.
        let text = match std::str::from_utf8(&self.raw) {
            Ok(text) => text,
            Err(err) if err.error_len().is_none() && !self.done => {
                std::str::from_utf8(&self.raw[..err.valid_up_to()]).map_err(|_| Stop::Irregular)?
            }
            Err(_) => return Err(Stop::Irregular),
        };
        let whole = text.len();
        self.text.push_str(text);
        self.raw.drain(..whole);
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
}
