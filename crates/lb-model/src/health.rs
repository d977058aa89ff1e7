//! Memory of the last health-check answer of each task.

use std::collections::BTreeMap;

/// The last known health of each task, kept by the caller from one build to
/// the next.
///
/// After a Marathon leader change, tasks come back without health results
/// for a while. With `--health-check`, a task without results keeps the
/// answer it had last time instead of being dropped, so a failover does not
/// empty the backends. Tasks that are no longer in Marathon are forgotten at
/// the end of each build.
#[derive(Debug, Clone, Default)]
pub struct HealthMemory {
    alive: BTreeMap<String, bool>,
}

impl HealthMemory {
    /// The remembered answer for a task, if any.
    #[must_use]
    pub fn get(&self, task_id: &str) -> Option<bool> {
        self.alive.get(task_id).copied()
    }

    pub(crate) fn remember(&mut self, task_id: &str, alive: bool) {
        self.alive.insert(task_id.to_owned(), alive);
    }

    /// Whether no task is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.alive.is_empty()
    }

    /// Forgets every task not in `seen`.
    pub(crate) fn retain_seen(&mut self, seen: &std::collections::BTreeSet<&str>) {
        self.alive.retain(|task, _| seen.contains(task.as_str()));
    }
}
