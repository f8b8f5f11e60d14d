//! SMS as configured: the provider, the limits against bulk sending (SEC-10), and the host
//! named in each message. `limits` applies the limits; they are configured here, so that the
//! settings need nothing of the services.

use chrono::Duration;

use super::provider::SmsProvider;

/// SMS as configured: the provider (none: SMS is not offered), the limits, and the host named
/// in each message for the browser's autofill.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    pub provider: Option<SmsProvider>,
    pub limits: SmsLimits,
    /// The host clinicians use, as in `@praktijk.example.nl #123456` (WebOTP).
    pub host: String,
    /// How long the provider may take before the send counts as failed.
    pub timeout: std::time::Duration,
}

/// What stops SMS from being sent in bulk (SEC-10). Every limit counts the messages the
/// provider was asked to send, whether they arrived or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLimits {
    /// Between two codes for one user.
    pub cooldown: Duration,
    pub per_user_hour: u64,
    pub per_user_day: u64,
    /// To one number, whichever accounts use it.
    pub per_number_day: u64,
    /// The whole installation, per calendar day (Amsterdam).
    pub per_day: u64,
}

impl SmsLimits {
    /// The defaults, in the units of their settings (`TWEESTAP_SMS_*`): written here only.
    pub const DEFAULT_COOLDOWN_SECONDS: i64 = 60;
    pub const DEFAULT_PER_USER_HOUR: u64 = 5;
    pub const DEFAULT_PER_USER_DAY: u64 = 10;
    pub const DEFAULT_PER_NUMBER_DAY: u64 = 10;
    pub const DEFAULT_PER_DAY: u64 = 500;
}

impl Default for SmsLimits {
    fn default() -> Self {
        Self {
            cooldown: Duration::seconds(Self::DEFAULT_COOLDOWN_SECONDS),
            per_user_hour: Self::DEFAULT_PER_USER_HOUR,
            per_user_day: Self::DEFAULT_PER_USER_DAY,
            per_number_day: Self::DEFAULT_PER_NUMBER_DAY,
            per_day: Self::DEFAULT_PER_DAY,
        }
    }
}

impl SmsSettings {
    pub const DEFAULT_HOST: &str = "localhost";
    pub const DEFAULT_TIMEOUT_SECONDS: u64 = 10;
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            provider: None,
            limits: SmsLimits::default(),
            host: Self::DEFAULT_HOST.to_owned(),
            timeout: std::time::Duration::from_secs(Self::DEFAULT_TIMEOUT_SECONDS),
        }
    }
}
