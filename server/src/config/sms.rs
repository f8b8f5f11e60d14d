//! Codes by SMS: whether and through whom they are sent, what each message names, and how many
//! may go out.

use std::path::PathBuf;

use chrono::Duration;
use tweestap_domain::sms::{SmsLimits, SmsProvider, SmsSettings, Twilio, TwilioSender};

use super::{
    operations::file_next_to,
    parse::{Trimmed, is_host_name, unmet},
};

/// The SMS provider (an outbox file or Twilio), the public host, the timeout and the limits.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "SMS")]
pub struct Sms {
    /// Unset: SMS is not offered; `outbox`: messages go to a file; `twilio`: Twilio
    #[arg(
        long,
        env = "TWEESTAP_SMS_PROVIDER",
        value_name = "TWEESTAP_SMS_PROVIDER",
        value_parser = Trimmed(clap::builder::EnumValueParser::<SmsKind>::new())
    )]
    pub sms_provider: Option<SmsKind>,
    /// The SMS outbox file (default: sms-outbox.jsonl next to the SQLite file)
    #[arg(long, env = "TWEESTAP_SMS_OUTBOX", value_name = "TWEESTAP_SMS_OUTBOX")]
    pub sms_outbox: Option<PathBuf>,
    /// Required with twilio
    #[arg(
        long,
        env = "TWEESTAP_TWILIO_ACCOUNT_SID",
        value_name = "TWEESTAP_TWILIO_ACCOUNT_SID"
    )]
    pub twilio_account_sid: Option<String>,
    /// Required with twilio
    #[arg(
        long,
        env = "TWEESTAP_TWILIO_AUTH_TOKEN",
        value_name = "TWEESTAP_TWILIO_AUTH_TOKEN",
        hide_env_values = true
    )]
    pub twilio_auth_token: Option<String>,
    /// The sender number or id; this or a messaging service, not both
    #[arg(
        long,
        env = "TWEESTAP_TWILIO_FROM",
        value_name = "TWEESTAP_TWILIO_FROM"
    )]
    pub twilio_from: Option<String>,
    /// A messaging service; this or a sender, not both
    #[arg(
        long,
        env = "TWEESTAP_TWILIO_MESSAGING_SERVICE_SID",
        value_name = "TWEESTAP_TWILIO_MESSAGING_SERVICE_SID"
    )]
    pub twilio_messaging_service_sid: Option<String>,
    /// Twilio's API, or a test server on http://127.0.0.1
    #[arg(long, env = "TWEESTAP_TWILIO_BASE_URL", value_name = "TWEESTAP_TWILIO_BASE_URL", default_value = Twilio::DEFAULT_BASE_URL, value_parser = twilio_base_url)]
    pub twilio_base_url: String,
    /// How long the provider may take before the send counts as failed
    #[arg(long, env = "TWEESTAP_SMS_TIMEOUT_SECONDS", value_name = "TWEESTAP_SMS_TIMEOUT_SECONDS", default_value_t = SmsSettings::DEFAULT_TIMEOUT_SECONDS, value_parser = Trimmed(clap::value_parser!(u64).range(1..=120)))]
    pub sms_timeout_seconds: u64,
    /// The host clinicians use, named in each SMS for autofill (WebOTP)
    #[arg(long, env = "TWEESTAP_PUBLIC_HOST", value_name = "TWEESTAP_PUBLIC_HOST", default_value = SmsSettings::DEFAULT_HOST, value_parser = public_host)]
    pub public_host: String,
    /// Seconds between two codes for one user
    #[arg(long, env = "TWEESTAP_SMS_COOLDOWN_SECONDS", value_name = "TWEESTAP_SMS_COOLDOWN_SECONDS", default_value_t = SmsLimits::DEFAULT_COOLDOWN_SECONDS, value_parser = Trimmed(clap::value_parser!(i64).range(1..=3600)))]
    pub sms_cooldown_seconds: i64,
    /// Codes per user in any hour
    #[arg(long, env = "TWEESTAP_SMS_MAX_PER_USER_HOUR", value_name = "TWEESTAP_SMS_MAX_PER_USER_HOUR", default_value_t = SmsLimits::DEFAULT_PER_USER_HOUR, value_parser = Trimmed(clap::value_parser!(u64).range(1..=1_000_000)))]
    pub sms_max_per_user_hour: u64,
    /// Codes per user in any 24 hours
    #[arg(long, env = "TWEESTAP_SMS_MAX_PER_USER_DAY", value_name = "TWEESTAP_SMS_MAX_PER_USER_DAY", default_value_t = SmsLimits::DEFAULT_PER_USER_DAY, value_parser = Trimmed(clap::value_parser!(u64).range(1..=1_000_000)))]
    pub sms_max_per_user_day: u64,
    /// Codes to one phone number in any 24 hours
    #[arg(long, env = "TWEESTAP_SMS_MAX_PER_NUMBER_DAY", value_name = "TWEESTAP_SMS_MAX_PER_NUMBER_DAY", default_value_t = SmsLimits::DEFAULT_PER_NUMBER_DAY, value_parser = Trimmed(clap::value_parser!(u64).range(1..=1_000_000)))]
    pub sms_max_per_number_day: u64,
    /// Codes for the whole installation per calendar day
    #[arg(long, env = "TWEESTAP_SMS_MAX_PER_DAY", value_name = "TWEESTAP_SMS_MAX_PER_DAY", default_value_t = SmsLimits::DEFAULT_PER_DAY, value_parser = Trimmed(clap::value_parser!(u64).range(1..=1_000_000)))]
    pub sms_max_per_day: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmsKind {
    Outbox,
    Twilio,
}

impl Sms {
    /// What Twilio needs; the outbox needs nothing.
    pub(super) fn problems(&self) -> Vec<&'static str> {
        if self.sms_provider != Some(SmsKind::Twilio) {
            return Vec::new();
        }
        unmet([
            (
                self.twilio_account_sid.is_some(),
                "TWEESTAP_TWILIO_ACCOUNT_SID is required with TWEESTAP_SMS_PROVIDER=twilio",
            ),
            (
                self.twilio_auth_token.is_some(),
                "TWEESTAP_TWILIO_AUTH_TOKEN is required with TWEESTAP_SMS_PROVIDER=twilio",
            ),
            (
                self.twilio_from.is_some() != self.twilio_messaging_service_sid.is_some(),
                "set exactly one of TWEESTAP_TWILIO_FROM and TWEESTAP_TWILIO_MESSAGING_SERVICE_SID",
            ),
        ])
    }

    /// The SMS settings; the outbox is next to the SQLite file unless it is given.
    pub(super) fn settings(&self, database_url: &str) -> SmsSettings {
        SmsSettings {
            provider: self.provider(database_url),
            limits: SmsLimits {
                cooldown: Duration::seconds(self.sms_cooldown_seconds),
                per_user_hour: self.sms_max_per_user_hour,
                per_user_day: self.sms_max_per_user_day,
                per_number_day: self.sms_max_per_number_day,
                per_day: self.sms_max_per_day,
            },
            host: self.public_host.clone(),
            timeout: std::time::Duration::from_secs(self.sms_timeout_seconds),
        }
    }

    fn provider(&self, database_url: &str) -> Option<SmsProvider> {
        Some(match self.sms_provider? {
            SmsKind::Outbox => SmsProvider::Outbox(
                self.sms_outbox
                    .clone()
                    .unwrap_or_else(|| file_next_to(database_url, "sms-outbox.jsonl")),
            ),
            SmsKind::Twilio => SmsProvider::Twilio(Twilio {
                base_url: self.twilio_base_url.clone(),
                account_sid: self.twilio_account_sid.clone()?,
                auth_token: self.twilio_auth_token.clone()?,
                sender: match (&self.twilio_from, &self.twilio_messaging_service_sid) {
                    (Some(from), None) => TwilioSender::From(from.clone()),
                    (None, Some(service)) => TwilioSender::MessagingService(service.clone()),
                    _ => return None,
                },
            }),
        })
    }
}

fn twilio_base_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.starts_with("https://") || value.starts_with("http://127.0.0.1") {
        Ok(value.to_owned())
    } else {
        Err("must start with https:// (or http://127.0.0.1 for a test server)".to_owned())
    }
}

fn public_host(value: &str) -> Result<String, String> {
    let value = value.trim();
    if is_host_name(value) {
        Ok(value.to_owned())
    } else {
        Err("must be a host name such as praktijk.example.nl, without scheme or port".to_owned())
    }
}
