//! The limits on password guessing (SEC-25) as the settings hold them; `guessing` applies them.
//! A module of its own, so that the settings need nothing of the services.

use chrono::Duration;

/// The limits, validated at startup (`server::config`); the defaults are the README's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wrong passwords per account and address within an hour before the waiting starts.
    pub free_attempts: u32,
    /// The first wait; each further wrong password doubles it.
    pub first_wait: Duration,
    /// The longest wait between two attempts for one account from one address.
    pub max_wait: Duration,
    /// Wrong passwords per account within an hour, from all addresses together, that lock it.
    pub account_per_hour: u32,
    /// Wrong passwords from one address within an hour, for all accounts together, that lock
    /// the address.
    pub address_per_hour: u32,
    /// How long a reached ceiling locks.
    pub lock_for: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            free_attempts: Self::DEFAULT_FREE_ATTEMPTS,
            first_wait: Duration::seconds(30),
            max_wait: Duration::minutes(Self::DEFAULT_MAX_WAIT_MINUTES),
            account_per_hour: Self::DEFAULT_ACCOUNT_PER_HOUR,
            address_per_hour: Self::DEFAULT_ADDRESS_PER_HOUR,
            lock_for: Duration::minutes(Self::DEFAULT_LOCK_MINUTES),
        }
    }
}

impl Limits {
    /// The defaults, in the units of their settings (`TWEESTAP_PASSWORD_*`): written here
    /// only, and read by the configuration's defaults.
    pub const DEFAULT_FREE_ATTEMPTS: u32 = 5;
    pub const DEFAULT_MAX_WAIT_MINUTES: i64 = 15;
    pub const DEFAULT_ACCOUNT_PER_HOUR: u32 = 20;
    pub const DEFAULT_ADDRESS_PER_HOUR: u32 = 100;
    pub const DEFAULT_LOCK_MINUTES: i64 = 30;

    /// The wait after `failures` wrong passwords from one address for one account.
    pub fn wait_after(&self, failures: u64) -> Duration {
        let free = u64::from(self.free_attempts);
        if failures < free {
            return Duration::zero();
        }
        // 2^20 times the first wait is past any sensible maximum already.
        let doublings = (failures - free).min(20) as u32;
        (self.first_wait * 2i32.pow(doublings)).min(self.max_wait)
    }
}
