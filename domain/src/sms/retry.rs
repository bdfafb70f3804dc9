//! Retry schedule: exponential backoff from 5 s, doubling, capped at 10 min; after the eighth
//! attempt an SMS is given up (`FAILED`).

use std::time::Duration;

/// When to try again and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay after the first failed attempt.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
    /// Attempts before giving up.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(5),
            max: Duration::from_secs(600),
            max_attempts: 8,
        }
    }
}

impl Backoff {
    /// Delay before the next attempt after `attempts` failed attempts (`attempts` ≥ 1):
    /// `initial · 2^(attempts − 1)`, at most `max`.
    pub fn delay_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(31);
        self.initial.saturating_mul(1u32 << doublings).min(self.max)
    }

    /// Whether `attempts` attempts exhaust the budget.
    pub fn exhausted(&self, attempts: u32) -> bool {
        attempts >= self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_starts_at_five_seconds_and_doubles() {
        let b = Backoff::default();
        let delays: Vec<u64> = (1..=8).map(|n| b.delay_after(n).as_secs()).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 320, 600]);
    }

    #[test]
    fn the_delay_never_exceeds_ten_minutes_even_for_absurd_attempt_counts() {
        let b = Backoff::default();
        for n in [9, 20, 31, 32, 64, u32::MAX] {
            assert_eq!(b.delay_after(n), Duration::from_secs(600), "{n}");
        }
        assert_eq!(b.delay_after(0), Duration::from_secs(5));
    }

    #[test]
    fn the_eighth_attempt_is_the_last() {
        let b = Backoff::default();
        assert!(!b.exhausted(7));
        assert!(b.exhausted(8));
        assert!(b.exhausted(9));
    }
}
