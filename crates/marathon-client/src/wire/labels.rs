//! An app's labels, held in one buffer.
//!
//! A large cluster has about five labels per app. Kept in a
//! `BTreeMap<String, String>`, each app pays for a tree node of about
//! 540 bytes and two allocations per label: some 14 MB for 20,000 apps,
//! more than the labels' own text. Here the names and values of one app
//! share one buffer and a list of offsets: two allocations per app, about
//! the size of the text.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};

/// An app's labels, each name with its value, in name order.
///
/// Marathon sends them as a JSON object; a name given twice keeps the last
/// value, as a map would. Reads like a map: [`get`](Labels::get),
/// [`iter`](Labels::iter) and the like.
#[derive(Clone, Default)]
pub struct Labels {
    /// Every name and value, one after the other.
    text: String,
    /// Where each label is in `text`, sorted by name; names are unique.
    spans: Vec<Span>,
}

/// A label in [`Labels::text`]: its name is `start..split`, its value
/// `split..end`. Offsets are `u32` to keep the list small; the decoder
/// refuses labels of more than 4 GiB in all.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    split: u32,
    end: u32,
}

impl Labels {
    /// The value of label `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        let found = self
            .spans
            .binary_search_by(|span| self.name(*span).cmp(name));
        found.ok().map(|index| self.value(self.spans[index]))
    }

    /// Whether label `name` is set.
    #[must_use]
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The labels in name order.
    #[must_use]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &str)> + ExactSizeIterator {
        self.spans
            .iter()
            .map(|span| (self.name(*span), self.value(*span)))
    }

    /// The label names, in order.
    #[must_use]
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.spans.iter().map(|span| self.name(*span))
    }

    /// The label values, in name order.
    #[must_use]
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.spans.iter().map(|span| self.value(*span))
    }

    /// How many labels there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Keeps only the labels for which `keep(name, value)` is true. The
    /// text of the others stays in the buffer until the labels are dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        let text = &self.text;
        self.spans.retain(|span| {
            keep(
                &text[span.start as usize..span.split as usize],
                &text[span.split as usize..span.end as usize],
            )
        });
    }

    fn name(&self, span: Span) -> &str {
        &self.text[span.start as usize..span.split as usize]
    }

    fn value(&self, span: Span) -> &str {
        &self.text[span.split as usize..span.end as usize]
    }

    /// Appends a label as it was read; [`Labels::settle`] must follow.
    fn push(&mut self, name: &str, value: &str) -> Result<(), TooLarge> {
        let start = offset(self.text.len())?;
        self.text.push_str(name);
        let split = offset(self.text.len())?;
        self.text.push_str(value);
        let end = offset(self.text.len())?;
        self.spans.push(Span { start, split, end });
        Ok(())
    }

    /// Sorts the labels by name and keeps the last of each name, as
    /// inserting them one by one into a map would, then gives back the
    /// room the buffers were not using.
    fn settle(&mut self) {
        // A stable sort keeps labels of one name in the order they came;
        // the last of each run is the one to keep.
        let text = &self.text;
        let name = |span: &Span| &text[span.start as usize..span.split as usize];
        if !self.spans.is_sorted_by(|a, b| name(a) < name(b)) {
            self.spans.sort_by(|a, b| name(a).cmp(name(b)));
            let mut kept: Vec<Span> = Vec::with_capacity(self.spans.len());
            for span in &self.spans {
                match kept.last_mut() {
                    Some(last) if name(last) == name(span) => *last = *span,
                    _ => kept.push(*span),
                }
            }
            self.spans = kept;
        }
        self.text.shrink_to_fit();
        self.spans.shrink_to_fit();
    }
}

/// Labels whose text passes 4 GiB cannot be placed with `u32` offsets.
struct TooLarge;

fn offset(len: usize) -> Result<u32, TooLarge> {
    u32::try_from(len).map_err(|_| TooLarge)
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Labels {
    /// Labels from pairs; a name given twice keeps its last value.
    ///
    /// # Panics
    ///
    /// When the names and values pass 4 GiB in all.
    fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> Self {
        let mut labels = Labels::default();
        for (name, value) in pairs {
            let pushed = labels.push(name.as_ref(), value.as_ref());
            assert!(pushed.is_ok(), "labels of more than 4 GiB");
        }
        labels.settle();
        labels
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Labels {}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(LabelsVisitor)
    }
}

struct LabelsVisitor;

impl<'de> Visitor<'de> for LabelsVisitor {
    type Value = Labels;

    // The words serde uses for a map of strings, so that a document of
    // the wrong shape is reported as it was when the labels were a map.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
        // Room for a typical app's labels at once; `settle` gives back
        // what is left over.
        let mut labels = Labels {
            text: String::with_capacity(256),
            spans: Vec::with_capacity(8),
        };
        let too_large = |_| serde::de::Error::custom("labels of more than 4 GiB");
        while let Some(start) = map.next_key_seed(Append(&mut labels.text))? {
            let split = map.next_value_seed(Append(&mut labels.text))?;
            let end = labels.text.len();
            let span = Span {
                start: offset(start).map_err(too_large)?,
                split: offset(split).map_err(too_large)?,
                end: offset(end).map_err(too_large)?,
            };
            labels.spans.push(span);
        }
        labels.settle();
        Ok(labels)
    }
}

/// Reads a string straight onto the end of a buffer, without a `String`
/// of its own; gives the length the buffer had before.
struct Append<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Append<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<usize, E> {
        let before = self.0.len();
        self.0.push_str(value);
        Ok(before)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn reads_like_the_map_it_replaces() {
        let text = r#"{"b": "2", "a": "1", "HAPROXY_GROUP": "external", "a": "last", "c": ""}"#;
        let labels: Labels = serde_json::from_str(text).unwrap();
        let map: BTreeMap<String, String> = serde_json::from_str(text).unwrap();
        let pairs: Vec<(&str, &str)> = labels.iter().collect();
        let expected: Vec<(&str, &str)> =
            map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, expected);
        assert_eq!(labels.get("a"), Some("last"));
        assert_eq!(labels.get("c"), Some(""));
        assert_eq!(labels.get("d"), None);
        assert_eq!(labels.len(), 4);
        assert_eq!(format!("{labels:?}"), format!("{map:?}"));
    }

    #[test]
    fn wrong_types_fail_as_a_map_of_strings_does() {
        for text in [r#"{"a": 3}"#, "[1]", r#""x""#, r#"{"a": null}"#] {
            let labels = serde_json::from_str::<Labels>(text).unwrap_err();
            let map = serde_json::from_str::<BTreeMap<String, String>>(text).unwrap_err();
            assert_eq!(labels.to_string(), map.to_string(), "{text}");
        }
    }

    #[test]
    fn escaped_text_is_read_unescaped() {
        let labels: Labels = serde_json::from_str(r#"{"k\u0041": "line\nbreak"}"#).unwrap();
        assert_eq!(labels.get("kA"), Some("line\nbreak"));
    }

    #[test]
    fn retain_and_equality_look_at_labels_not_buffers() {
        let mut labels: Labels = [("a", "1"), ("b", "2"), ("c", "3")].into_iter().collect();
        labels.retain(|name, _| name != "b");
        let fresh: Labels = [("c", "3"), ("a", "1")].into_iter().collect();
        assert_eq!(labels, fresh);
        assert_eq!(labels.keys().collect::<Vec<_>>(), ["a", "c"]);
    }
}
