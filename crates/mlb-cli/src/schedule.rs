//! When the next update runs: coalesced events, requests, resyncs, retries.
//!
//! Marathon sends events in bursts (a deployment of 50 tasks is 100+
//! status updates), and every update is a full `GET /v2/apps`, which is
//! expensive on a large cluster. So an event does not start an update; it
//! opens a *burst*, and the update runs once no event has come for the
//! quiet period, or at the latest ten quiet periods after the burst began,
//! so that a never-ending trickle of events still gets updates.
//!
//! The schedule is pure: it is told the time and answers with instants,
//! which keeps it testable without sleeping.

use std::time::{Duration, Instant};

/// How many quiet periods a burst may last before its update runs anyway.
const MAX_BURST_QUIET_PERIODS: u32 = 10;

/// The daemon's timetable of updates.
#[derive(Debug, Clone)]
pub struct Schedule {
    quiet: Duration,
    resync_every: Duration,
    requested: Option<Instant>,
    burst: Option<Burst>,
    next_resync: Instant,
    retry_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Burst {
    first: Instant,
    last: Instant,
}

impl Schedule {
    /// A schedule whose first update is due at once, then every
    /// `resync_every` without other reasons; events wait `quiet`.
    #[must_use]
    pub fn new(now: Instant, quiet: Duration, resync_every: Duration) -> Self {
        Schedule {
            quiet,
            resync_every,
            requested: Some(now),
            burst: None,
            next_resync: now + resync_every,
            retry_at: None,
        }
    }

    /// Puts the first update off until `at`, unless something asks for
    /// one sooner (see [`request_now`](Self::request_now)).
    pub fn defer_first(&mut self, at: Instant) {
        if self.requested.is_some() {
            self.requested = Some(at);
        }
    }

    /// An event arrived: an update is due once events stop for the quiet
    /// period.
    pub fn event(&mut self, now: Instant) {
        match &mut self.burst {
            Some(burst) => burst.last = now,
            None => {
                self.burst = Some(Burst {
                    first: now,
                    last: now,
                });
            }
        }
    }

    /// Something asks for an update without waiting (a signal, a new
    /// event stream connection).
    pub fn request_now(&mut self, now: Instant) {
        self.requested = Some(self.requested.map_or(now, |at| at.min(now)));
    }

    /// When the next update is due.
    #[must_use]
    pub fn due_at(&self) -> Instant {
        let burst = self
            .burst
            .map(|b| (b.last + self.quiet).min(b.first + self.quiet * MAX_BURST_QUIET_PERIODS));
        [self.requested, burst, self.retry_at]
            .into_iter()
            .flatten()
            .fold(self.next_resync, Instant::min)
    }

    /// Whether an update should run now.
    #[must_use]
    pub fn is_due(&self, now: Instant) -> bool {
        self.due_at() <= now
    }

    /// An update finished at `now`; everything that asked for it is
    /// served. `retry_in` brings the next one forward after a failure.
    pub fn done(&mut self, now: Instant, retry_in: Option<Duration>) {
        self.requested = None;
        self.burst = None;
        self.next_resync = now + self.resync_every;
        self.retry_at = retry_in.map(|delay| now + delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deferred_first_update_waits_unless_asked_for_sooner() {
        let start = Instant::now();
        let quiet = Duration::from_millis(500);
        let mut schedule = Schedule::new(start, quiet, Duration::from_secs(300));
        schedule.defer_first(start + Duration::from_secs(2));
        assert!(!schedule.is_due(start + Duration::from_secs(1)));
        assert!(schedule.is_due(start + Duration::from_secs(2)));

        schedule.request_now(start + Duration::from_millis(100));
        assert_eq!(schedule.due_at(), start + Duration::from_millis(100));

        // Once the first update is done, there is nothing to defer.
        schedule.done(start + Duration::from_millis(200), None);
        schedule.defer_first(start + Duration::from_secs(2));
        assert_eq!(
            schedule.due_at(),
            start + Duration::from_millis(200) + Duration::from_secs(300)
        );
    }

    const QUIET: Duration = Duration::from_millis(500);
    const RESYNC: Duration = Duration::from_secs(300);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn fresh() -> (Instant, Schedule) {
        let t0 = Instant::now();
        let mut schedule = Schedule::new(t0, QUIET, RESYNC);
        assert!(schedule.is_due(t0), "the first update runs at once");
        schedule.done(t0, None);
        (t0, schedule)
    }

    #[test]
    fn a_burst_of_events_is_due_once_quiet() {
        let (t0, mut schedule) = fresh();
        for i in 0..5 {
            schedule.event(t0 + ms(100 * i));
        }
        assert!(!schedule.is_due(t0 + ms(800)));
        assert_eq!(schedule.due_at(), t0 + ms(900));
    }

    #[test]
    fn an_endless_trickle_still_updates_after_ten_quiet_periods() {
        let (t0, mut schedule) = fresh();
        for i in 0..100 {
            schedule.event(t0 + ms(1 + 400 * i));
        }
        assert_eq!(schedule.due_at(), t0 + ms(1) + QUIET * 10);
    }

    #[test]
    fn requests_are_due_at_once_and_served_by_one_update() {
        let (t0, mut schedule) = fresh();
        schedule.event(t0 + ms(10));
        schedule.request_now(t0 + ms(20));
        schedule.request_now(t0 + ms(30));
        assert!(schedule.is_due(t0 + ms(20)));

        schedule.done(t0 + ms(40), None);
        assert_eq!(schedule.due_at(), t0 + ms(40) + RESYNC);
    }

    #[test]
    fn without_events_a_resync_is_due_after_the_interval() {
        let (t0, schedule) = fresh();
        assert_eq!(schedule.due_at(), t0 + RESYNC);
    }

    #[test]
    fn a_failed_update_retries_sooner_than_the_resync() {
        let (t0, mut schedule) = fresh();
        schedule.done(t0 + ms(5), Some(Duration::from_secs(2)));
        assert_eq!(schedule.due_at(), t0 + ms(5) + Duration::from_secs(2));
    }
}
