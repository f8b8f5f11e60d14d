//! How many wrong passwords are let through before logins wait or lock (SEC-25), and how many
//! password hashes run and wait at once (SEC-29).

use chrono::Duration;
use tweestap_domain::accounts::{
    guessing_limits::Limits as GuessingLimits, password::HashingLimits,
};

use super::parse::Trimmed;

/// The limits on guessing passwords and on hashing them.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "Passwords and guessing")]
pub struct Passwords {
    /// Wrong passwords for one account from one address within an hour before each further attempt waits, 30 s and doubling (SEC-25)
    #[arg(long, env = "TWEESTAP_PASSWORD_FREE_ATTEMPTS", value_name = "TWEESTAP_PASSWORD_FREE_ATTEMPTS", default_value_t = GuessingLimits::DEFAULT_FREE_ATTEMPTS, value_parser = Trimmed(clap::value_parser!(u32).range(1..=100)))]
    pub password_free_attempts: u32,
    /// The longest wait between two password attempts for one account from one address
    #[arg(long, env = "TWEESTAP_PASSWORD_MAX_WAIT_MINUTES", value_name = "TWEESTAP_PASSWORD_MAX_WAIT_MINUTES", default_value_t = GuessingLimits::DEFAULT_MAX_WAIT_MINUTES, value_parser = Trimmed(clap::value_parser!(i64).range(1..=1440)))]
    pub password_max_wait_minutes: i64,
    /// Wrong passwords for one account within an hour, from all addresses, that lock it for every address
    #[arg(long, env = "TWEESTAP_PASSWORD_ACCOUNT_LIMIT", value_name = "TWEESTAP_PASSWORD_ACCOUNT_LIMIT", default_value_t = GuessingLimits::DEFAULT_ACCOUNT_PER_HOUR, value_parser = Trimmed(clap::value_parser!(u32).range(1..=100_000)))]
    pub password_account_limit: u32,
    /// Wrong passwords from one client address within an hour, for all accounts, that lock the address
    #[arg(long, env = "TWEESTAP_PASSWORD_ADDRESS_LIMIT", value_name = "TWEESTAP_PASSWORD_ADDRESS_LIMIT", default_value_t = GuessingLimits::DEFAULT_ADDRESS_PER_HOUR, value_parser = Trimmed(clap::value_parser!(u32).range(1..=1_000_000)))]
    pub password_address_limit: u32,
    /// How long a reached password limit locks the account or the address
    #[arg(long, env = "TWEESTAP_PASSWORD_LOCK_MINUTES", value_name = "TWEESTAP_PASSWORD_LOCK_MINUTES", default_value_t = GuessingLimits::DEFAULT_LOCK_MINUTES, value_parser = Trimmed(clap::value_parser!(i64).range(1..=1440)))]
    pub password_lock_minutes: i64,
    /// Password hashes at once, each on its own worker with 19 MiB of memory (default: the cores this process may use) (SEC-29)
    #[arg(long, env = "TWEESTAP_HASH_WORKERS", value_name = "TWEESTAP_HASH_WORKERS", value_parser = Trimmed(clap::value_parser!(u16).range(1..=256)))]
    pub hash_workers: Option<u16>,
    /// Password hashes that may wait for a worker; past it a login is refused with "probeer het zo opnieuw" (SEC-29)
    #[arg(long, env = "TWEESTAP_HASH_QUEUE", value_name = "TWEESTAP_HASH_QUEUE", default_value_t = 128, value_parser = Trimmed(clap::value_parser!(u16).range(1..=10_000)))]
    pub hash_queue: u16,
}

impl Passwords {
    pub(super) fn guessing(&self) -> GuessingLimits {
        GuessingLimits {
            free_attempts: self.password_free_attempts,
            max_wait: Duration::minutes(self.password_max_wait_minutes),
            account_per_hour: self.password_account_limit,
            address_per_hour: self.password_address_limit,
            lock_for: Duration::minutes(self.password_lock_minutes),
            ..Default::default()
        }
    }

    pub(super) fn hashing(&self) -> HashingLimits {
        HashingLimits {
            workers: self
                .hash_workers
                .map_or_else(HashingLimits::default_workers, usize::from),
            queue: usize::from(self.hash_queue),
        }
    }
}
