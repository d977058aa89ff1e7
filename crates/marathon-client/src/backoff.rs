//! Jittered exponential backoff between reconnection attempts.

use std::time::Duration;

/// Delays between reconnection attempts: doubling from `initial` up to
/// `max`, with "equal jitter" so that many load balancers restarted
/// together do not hit Marathon in step.
///
/// The n-th delay (counting from 0) is drawn from `[cap / 2, cap]` where
/// `cap = min(max, initial * 2^n)`. Keeping the lower half out means a
/// flapping Marathon is never hammered with near-zero delays.
///
/// The random draw is passed in, which keeps the type pure and testable:
///
/// ```
/// use std::time::Duration;
/// use marathon_client::Backoff;
///
/// let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
/// assert_eq!(backoff.next_delay(1.0), Duration::from_secs(1));
/// assert_eq!(backoff.next_delay(0.0), Duration::from_secs(1));
/// assert_eq!(backoff.next_delay(0.5), Duration::from_secs(3));
/// ```
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// A backoff starting at `initial` and never exceeding `max`.
    #[must_use]
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max: max.max(initial),
            attempt: 0,
        }
    }

    /// The delay before the next attempt, given a random number in
    /// `[0, 1]` (values outside are clamped); moves on to the next step.
    pub fn next_delay(&mut self, random: f64) -> Duration {
        let cap = self.cap();
        self.attempt = self.attempt.saturating_add(1);
        let half = cap / 2;
        half + cap.saturating_sub(half).mul_f64(random.clamp(0.0, 1.0))
    }

    /// Starts over from `initial`, after a connection proved healthy.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    fn cap(&self) -> Duration {
        // Past 2^31 the multiplication would overflow long before it
        // matters; any realistic max is reached in a few dozen steps.
        let factor = 2u32.saturating_pow(self.attempt.min(31));
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// A small non-cryptographic random source for jitter, seeded from the
/// standard library's per-process hash keys so that no extra crate is
/// needed.
#[cfg(feature = "http")]
#[derive(Debug)]
pub(crate) struct Jitter(u64);

#[cfg(feature = "http")]
impl Jitter {
    pub(crate) fn from_entropy() -> Self {
        use std::hash::{BuildHasher, Hasher};

        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(u64::from(std::process::id()));
        // Zero is the one state xorshift never leaves.
        Jitter(hasher.finish() | 1)
    }

    /// The next number in `[0, 1)`.
    pub(crate) fn next_unit(&mut self) -> f64 {
        // xorshift64: fast, and good enough to spread reconnection times.
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        #[expect(
            clippy::cast_precision_loss,
            reason = "53 random bits fit an f64 exactly"
        )]
        let unit = (self.0 >> 11) as f64 / (1u64 << 53) as f64;
        unit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn delays_double_until_the_cap_with_full_draw() {
        let mut backoff = Backoff::new(secs(1), secs(300));
        let delays: Vec<u64> = (0..12).map(|_| backoff.next_delay(1.0).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    }

    #[test]
    fn lowest_draw_is_half_the_cap() {
        let mut backoff = Backoff::new(secs(2), secs(300));
        let delays: Vec<u64> = (0..10).map(|_| backoff.next_delay(0.0).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 150, 150]);
    }

    #[test]
    fn draws_outside_unit_range_are_clamped() {
        let mut backoff = Backoff::new(secs(10), secs(10));
        assert_eq!(backoff.next_delay(7.0), secs(10));
        assert_eq!(backoff.next_delay(-1.0), secs(5));
    }

    #[test]
    fn reset_starts_over_from_initial() {
        let mut backoff = Backoff::new(secs(1), secs(60));
        for _ in 0..5 {
            backoff.next_delay(1.0);
        }
        backoff.reset();
        assert_eq!(backoff.next_delay(1.0), secs(1));
    }

    #[test]
    fn many_attempts_never_overflow() {
        let mut backoff = Backoff::new(secs(1), secs(300));
        for _ in 0..1000 {
            assert!(backoff.next_delay(1.0) <= secs(300));
        }
    }

    #[test]
    fn max_below_initial_is_raised_to_initial() {
        let mut backoff = Backoff::new(secs(5), secs(1));
        assert_eq!(backoff.next_delay(1.0), secs(5));
    }

    #[cfg(feature = "http")]
    #[test]
    fn jitter_stays_in_unit_range_and_varies() {
        let mut jitter = Jitter::from_entropy();
        let draws: Vec<f64> = (0..1000).map(|_| jitter.next_unit()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let low = draws.iter().filter(|d| **d < 0.5).count();
        assert!((300..700).contains(&low), "{low} of 1000 below 0.5");
    }
}
