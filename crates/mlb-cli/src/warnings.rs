//! Warnings that hold for many updates in a row, logged when they appear and when they clear.
//!
//! Every update renders the whole cluster again, so an app with a bad
//! label produces the same warning every time. Repeating it every poll
//! would bury everything else; logging it once could let it be forgotten.
//! So each warning is logged at warn when it first appears, and at info
//! when an update no longer has it. A restarted mlb logs every current
//! warning once more.

use std::collections::BTreeMap;

/// What changed between the previous update's warnings and this one's.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Texts of warnings this update has and the previous one had not.
    pub appeared: Vec<String>,
    /// Texts of warnings the previous update had and this one has not.
    pub cleared: Vec<String>,
}

/// The warnings of the last update, by key.
#[derive(Debug, Default)]
pub struct WarningMemory {
    current: BTreeMap<String, String>,
}

impl WarningMemory {
    /// Replaces the remembered warnings with `warnings` (key to text) and
    /// tells what changed.
    ///
    /// The key says what a warning is about, the text how it reads today.
    /// When only the text changes (HAProxy words an alert with another line
    /// number) the warning is the same and nothing is reported.
    pub fn update(&mut self, warnings: BTreeMap<String, String>) -> Changes {
        let appeared = warnings
            .iter()
            .filter(|(key, _)| !self.current.contains_key(*key))
            .map(|(_, text)| text.clone())
            .collect();
        let cleared = self
            .current
            .iter()
            .filter(|(key, _)| !warnings.contains_key(*key))
            .map(|(_, text)| text.clone())
            .collect();
        self.current = warnings;
        Changes { appeared, cleared }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_warning_is_reported_when_it_appears_and_when_it_clears_only() {
        let mut memory = WarningMemory::default();
        let first = memory.update(set(&[("a", "app /a: bad port")]));
        assert_eq!(first.appeared, ["app /a: bad port"]);

        let again = memory.update(set(&[("a", "app /a: bad port")]));
        assert_eq!(again, Changes::default());

        let gone = memory.update(set(&[]));
        assert_eq!(gone.cleared, ["app /a: bad port"]);
        assert!(gone.appeared.is_empty());
    }

    #[test]
    fn a_new_wording_of_the_same_warning_is_not_reported_again() {
        let mut memory = WarningMemory::default();
        memory.update(set(&[("bad /x", "line 10")]));
        assert_eq!(
            memory.update(set(&[("bad /x", "line 12")])),
            Changes::default()
        );
    }
}
