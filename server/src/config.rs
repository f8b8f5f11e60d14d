//! Configuration from environment variables, read once at startup by clap (so `server --help`
//! lists them); each value is checked as it is read, and `Config::validate` then reports every
//! problem between variables at once, each with the variable's name.

use std::{
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
};

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::{Duration, NaiveDate};
use clap::builder::BoolishValueParser;
use tweestap_domain::{
    accounts::{guessing_limits::Limits as GuessingLimits, password::HashingLimits},
    crypto::SecretKey,
    mail::{MailProvider, MailSettings, Mailbox, Smtp, SmtpSecurity},
    retention,
    settings::Settings,
    sms::{SmsLimits, SmsProvider, SmsSettings, Twilio, TwilioSender},
    twofactor::policy::Rollout,
};

use crate::operations::MetricsToken;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://tweestap.db?mode=rwc";

/// The server's configuration. Every option is also a command-line flag, which wins over the
/// variable; the value name is the variable's, so that clap's errors name it. `Debug` prints
/// nothing of it: it holds the secret key, the Twilio token and the SMTP password as given.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "Configuration (environment variables)")]
pub struct Config {
    /// `sqlite:` file, or `postgres://...`
    // Checked in `validate`, and never shown: a PostgreSQL URL may hold a password.
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL,
        hide_env_values = true
    )]
    pub database_url: String,
    /// `true` seeds the demo accounts at startup if they do not exist
    #[arg(long, env = "TWEESTAP_DEMO", value_name = "TWEESTAP_DEMO", action = clap::ArgAction::Set, default_value_t = false, value_parser = Trimmed(BoolishValueParser::new()))]
    pub demo: bool,
    /// 32 bytes, base64 (openssl rand -base64 32); unset: a development key file next to the
    /// SQLite file
    // A String, checked in `validate`: clap's errors would print the value.
    #[arg(
        long,
        env = "TWEESTAP_SECRET_KEY",
        value_name = "TWEESTAP_SECRET_KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// The platform's name in the header and page titles
    #[arg(long, env = "TWEESTAP_PLATFORM_NAME", value_name = "TWEESTAP_PLATFORM_NAME", default_value = Settings::DEFAULT_PLATFORM_NAME, value_parser = short_text)]
    pub platform_name: String,
    /// The helpdesk contact under "Vragen?" on every page
    #[arg(long, env = "TWEESTAP_HELPDESK", value_name = "TWEESTAP_HELPDESK", default_value = Settings::DEFAULT_HELPDESK, value_parser = short_text)]
    pub helpdesk: String,
    /// A session ends after this many minutes without a request
    #[arg(long, env = "TWEESTAP_SESSION_IDLE_MINUTES", value_name = "TWEESTAP_SESSION_IDLE_MINUTES", default_value_t = Settings::DEFAULT_SESSION_IDLE_MINUTES, value_parser = Trimmed(clap::value_parser!(i64).range(1..=1440)))]
    pub session_idle_minutes: i64,
    /// And at the latest this many hours after login
    #[arg(long, env = "TWEESTAP_SESSION_MAX_HOURS", value_name = "TWEESTAP_SESSION_MAX_HOURS", default_value_t = Settings::DEFAULT_SESSION_MAX_HOURS, value_parser = Trimmed(clap::value_parser!(i64).range(1..=720)))]
    pub session_max_hours: i64,
    /// Minutes a login may take between the password and the second step; after that the
    /// session is gone and the clinician logs in again (SEC-30)
    #[arg(long, env = "TWEESTAP_SECOND_STEP_MINUTES", value_name = "TWEESTAP_SECOND_STEP_MINUTES", default_value_t = Settings::DEFAULT_SECOND_STEP_MINUTES, value_parser = Trimmed(clap::value_parser!(i64).range(1..=60)))]
    pub second_step_minutes: i64,
    /// YYYY-MM-DD: from this day clinicians see the introduction to two-step authentication
    /// (default: the day the server started)
    #[arg(long = "2fa-optional-from", env = "TWEESTAP_2FA_OPTIONAL_FROM", value_name = "TWEESTAP_2FA_OPTIONAL_FROM", value_parser = date)]
    pub optional_from: Option<NaiveDate>,
    /// YYYY-MM-DD: from this day two-step authentication is required (default: 91 days after
    /// the server started)
    #[arg(long = "2fa-mandatory-from", env = "TWEESTAP_2FA_MANDATORY_FROM", value_name = "TWEESTAP_2FA_MANDATORY_FROM", value_parser = date)]
    pub mandatory_from: Option<NaiveDate>,
    /// How long "Onthoud mij" spares the code on a browser, in hours
    #[arg(long, env = "TWEESTAP_REMEMBER_HOURS", value_name = "TWEESTAP_REMEMBER_HOURS", default_value_t = Settings::DEFAULT_REMEMBER_HOURS, value_parser = Trimmed(clap::value_parser!(i64).range(1..=720)))]
    pub remember_hours: i64,
    /// Days the security log and the SMS send records are kept, at least 30 (SEC-26)
    #[arg(long, env = "TWEESTAP_RETENTION_DAYS", value_name = "TWEESTAP_RETENTION_DAYS", default_value_t = retention::DEFAULT_RETENTION_DAYS, value_parser = retention_days)]
    pub retention_days: i64,

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

    /// Security emails. Unset: no mail; `outbox`: mails go to a file; `smtp`: a mail server
    #[arg(
        long,
        env = "TWEESTAP_MAIL_PROVIDER",
        value_name = "TWEESTAP_MAIL_PROVIDER",
        value_parser = Trimmed(clap::builder::EnumValueParser::<MailKind>::new())
    )]
    pub mail_provider: Option<MailKind>,
    /// The mail outbox file (default: mail-outbox.jsonl next to the SQLite file)
    #[arg(
        long,
        env = "TWEESTAP_MAIL_OUTBOX",
        value_name = "TWEESTAP_MAIL_OUTBOX"
    )]
    pub mail_outbox: Option<PathBuf>,
    /// Required with smtp: the mail server's host name or IP address
    #[arg(long, env = "TWEESTAP_SMTP_HOST", value_name = "TWEESTAP_SMTP_HOST", value_parser = smtp_host)]
    pub smtp_host: Option<String>,
    /// `none` only for a server on this machine
    #[arg(
        long,
        env = "TWEESTAP_SMTP_SECURITY",
        value_name = "TWEESTAP_SMTP_SECURITY",
        default_value = "starttls",
        ignore_case = true,
        value_parser = Trimmed(clap::builder::EnumValueParser::<Security>::new())
    )]
    pub smtp_security: Security,
    /// Default: 587 with starttls, 465 with tls, 25 with none
    #[arg(long, env = "TWEESTAP_SMTP_PORT", value_name = "TWEESTAP_SMTP_PORT", value_parser = Trimmed(clap::value_parser!(u16).range(1..)))]
    pub smtp_port: Option<u16>,
    /// Both or neither
    #[arg(
        long,
        env = "TWEESTAP_SMTP_USERNAME",
        value_name = "TWEESTAP_SMTP_USERNAME"
    )]
    pub smtp_username: Option<String>,
    /// Both or neither
    #[arg(
        long,
        env = "TWEESTAP_SMTP_PASSWORD",
        value_name = "TWEESTAP_SMTP_PASSWORD",
        hide_env_values = true
    )]
    pub smtp_password: Option<String>,
    /// A PEM file with the CA certificate(s) of the mail server, trusted besides the public CAs
    #[arg(long, env = "TWEESTAP_SMTP_CA_FILE", value_name = "TWEESTAP_SMTP_CA_FILE", value_parser = ca_file)]
    pub smtp_ca_file: Option<CaPem>,
    /// Required with smtp: the sender, as `PRO Praktijksteun <noreply@praktijk.example.nl>`
    #[arg(long, env = "TWEESTAP_MAIL_FROM", value_name = "TWEESTAP_MAIL_FROM", value_parser = mailbox)]
    pub mail_from: Option<Mailbox>,

    /// The reverse proxies whose X-Forwarded-For is read, separated by commas (SEC-14)
    #[arg(long, env = "TWEESTAP_TRUSTED_PROXIES", value_name = "TWEESTAP_TRUSTED_PROXIES", default_value = "", hide_default_value = true, value_parser = ip_addresses)]
    pub trusted_proxies: Proxies,
    /// The address clinicians use, such as https://praktijk.example.nl: scheme, host and port
    /// that a form's Origin must match (SEC-32). Set it behind a TLS proxy. Unset: the address
    /// the request was served as, over plain HTTP
    #[arg(long, env = "TWEESTAP_PUBLIC_ORIGIN", value_name = "TWEESTAP_PUBLIC_ORIGIN", value_parser = public_origin)]
    pub public_origin: Option<String>,

    /// Also serve the metrics at /metrics on this address of its own, without a token, for
    /// example 127.0.0.1:9464 (SEC-28)
    #[arg(long, env = "TWEESTAP_METRICS_ADDR", value_name = "TWEESTAP_METRICS_ADDR", value_parser = socket_addr)]
    pub metrics_addr: Option<SocketAddr>,
    /// Serve the metrics at /metrics on the main address to `Authorization: Bearer <token>`; at
    /// least 32 characters (openssl rand -hex 32). Unset: /metrics there is 404
    // A String, checked in `validate`: clap's errors would print the value.
    #[arg(
        long,
        env = "TWEESTAP_METRICS_TOKEN",
        value_name = "TWEESTAP_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// `text`, or `json`: one JSON object a line, for a log collector
    #[arg(
        long,
        env = "TWEESTAP_LOG_FORMAT",
        value_name = "TWEESTAP_LOG_FORMAT",
        default_value = "text",
        value_parser = Trimmed(clap::builder::EnumValueParser::<LogFormat>::new())
    )]
    pub log_format: LogFormat,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmsKind {
    Outbox,
    Twilio,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MailKind {
    Outbox,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Security {
    Starttls,
    Tls,
    #[value(name = "none")]
    Plain,
}

impl From<Security> for SmtpSecurity {
    fn from(security: Security) -> Self {
        match security {
            Security::Starttls => Self::StartTls,
            Security::Tls => Self::Tls,
            Security::Plain => Self::Plain,
        }
    }
}

/// The contents of `TWEESTAP_SMTP_CA_FILE`, read and checked at startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaPem(pub Vec<u8>);

#[derive(Debug)]
pub enum KeySource {
    Configured(SecretKey),
    /// No key configured: a development key in this file, made on first start.
    DevelopmentFile(PathBuf),
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// Every problem between variables (and with the secret key), all at once.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, problem: &str| {
            if !ok {
                problems.push(problem.to_owned());
            }
        };
        check(
            ["sqlite:", "postgres://", "postgresql://"]
                .iter()
                .any(|prefix| self.database_url.starts_with(prefix)),
            "DATABASE_URL must start with sqlite: or postgres:// (for example sqlite://tweestap.db?mode=rwc)",
        );
        check(
            self.secret_key.is_none() || self.configured_key().is_some(),
            "TWEESTAP_SECRET_KEY must be 32 bytes in base64 (make one with: openssl rand -base64 32)",
        );
        check(
            self.session_idle_minutes <= self.session_max_hours * 60,
            "TWEESTAP_SESSION_IDLE_MINUTES must not be longer than TWEESTAP_SESSION_MAX_HOURS",
        );
        check(
            !matches!((self.optional_from, self.mandatory_from), (Some(o), Some(m)) if o > m),
            "TWEESTAP_2FA_OPTIONAL_FROM must not be after TWEESTAP_2FA_MANDATORY_FROM",
        );
        if self.sms_provider == Some(SmsKind::Twilio) {
            check(
                self.twilio_account_sid.is_some(),
                "TWEESTAP_TWILIO_ACCOUNT_SID is required with TWEESTAP_SMS_PROVIDER=twilio",
            );
            check(
                self.twilio_auth_token.is_some(),
                "TWEESTAP_TWILIO_AUTH_TOKEN is required with TWEESTAP_SMS_PROVIDER=twilio",
            );
            check(
                self.twilio_from.is_some() != self.twilio_messaging_service_sid.is_some(),
                "set exactly one of TWEESTAP_TWILIO_FROM and TWEESTAP_TWILIO_MESSAGING_SERVICE_SID",
            );
        }
        if self.mail_provider == Some(MailKind::Smtp) {
            check(
                self.smtp_host.is_some(),
                "TWEESTAP_SMTP_HOST is required with TWEESTAP_MAIL_PROVIDER=smtp",
            );
            // Without TLS the password and every mail could be read and changed on the way;
            // only a server on this machine (a local relay) is reached without a network.
            check(
                self.smtp_security != Security::Plain
                    || self
                        .smtp_host
                        .as_deref()
                        .is_none_or(tweestap_domain::mail::is_loopback),
                "TWEESTAP_SMTP_SECURITY=none is only allowed for a server on this machine (localhost, 127.0.0.1 or ::1): use starttls or tls",
            );
            check(
                self.smtp_username.is_some() == self.smtp_password.is_some(),
                "set both TWEESTAP_SMTP_USERNAME and TWEESTAP_SMTP_PASSWORD, or neither",
            );
            check(
                self.mail_from.is_some(),
                "TWEESTAP_MAIL_FROM is required with TWEESTAP_MAIL_PROVIDER=smtp (for example: PRO Praktijksteun <noreply@praktijk.example.nl>)",
            );
            check(
                self.smtp_ca_file.is_none() || self.smtp_security != Security::Plain,
                "TWEESTAP_SMTP_CA_FILE needs TWEESTAP_SMTP_SECURITY=starttls or tls",
            );
        }
        check(
            self.metrics_token.is_none() || self.metrics_token().is_some(),
            "TWEESTAP_METRICS_TOKEN must be at least 32 characters without spaces (make one with: openssl rand -hex 32)",
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(problems))
        }
    }

    /// The token for `/metrics` on the main address, if one is configured and valid.
    pub fn metrics_token(&self) -> Option<MetricsToken> {
        MetricsToken::new(self.metrics_token.as_deref()?.trim().to_owned())
    }

    fn configured_key(&self) -> Option<SecretKey> {
        let bytes = STANDARD.decode(self.secret_key.as_deref()?.trim()).ok()?;
        Some(SecretKey::from_bytes(<[u8; 32]>::try_from(bytes).ok()?))
    }

    fn key(&self) -> KeySource {
        match self.configured_key() {
            Some(key) => KeySource::Configured(key),
            None => KeySource::DevelopmentFile(file_next_to(&self.database_url, "tweestap.key")),
        }
    }

    /// The settings for the app, validated, with the key loaded or, in development, made.
    pub fn settings(&self) -> Result<Settings, String> {
        self.validate().map_err(|e| e.to_string())?;
        let key = match self.key() {
            KeySource::Configured(key) => key,
            KeySource::DevelopmentFile(path) => {
                load_or_create_key(&path).map_err(|e| format!("secret key: {e}"))?
            }
        };
        Ok(self.settings_with_key(key))
    }

    /// The settings with the given key; `validate` has passed.
    fn settings_with_key(&self, secret_key: SecretKey) -> Settings {
        let mut settings = Settings::with_key(secret_key);
        settings.platform_name = self.platform_name.clone();
        settings.helpdesk = self.helpdesk.clone();
        settings.session_idle = Duration::minutes(self.session_idle_minutes);
        settings.session_max = Duration::hours(self.session_max_hours);
        settings.second_step_for = Duration::minutes(self.second_step_minutes);
        settings.remember_for = Duration::hours(self.remember_hours);
        settings.guessing = tweestap_domain::accounts::guessing::Limits {
            free_attempts: self.password_free_attempts,
            max_wait: Duration::minutes(self.password_max_wait_minutes),
            account_per_hour: self.password_account_limit,
            address_per_hour: self.password_address_limit,
            lock_for: Duration::minutes(self.password_lock_minutes),
            ..Default::default()
        };
        settings.retention = Duration::days(self.retention_days);
        settings.hashing = HashingLimits {
            workers: self
                .hash_workers
                .map_or_else(HashingLimits::default_workers, usize::from),
            queue: usize::from(self.hash_queue),
        };
        if let Some(rollout) = self.rollout() {
            settings.rollout = rollout;
        }
        settings.sms = SmsSettings {
            provider: self.sms(),
            limits: SmsLimits {
                cooldown: Duration::seconds(self.sms_cooldown_seconds),
                per_user_hour: self.sms_max_per_user_hour,
                per_user_day: self.sms_max_per_user_day,
                per_number_day: self.sms_max_per_number_day,
                per_day: self.sms_max_per_day,
            },
            host: self.public_host.clone(),
            timeout: std::time::Duration::from_secs(self.sms_timeout_seconds),
        };
        settings.mail = MailSettings {
            provider: self.mail(),
            ..MailSettings::default()
        };
        settings.trusted_proxies = self.trusted_proxies.0.clone();
        settings.public_origin = self.public_origin.clone();
        settings
    }

    /// The configured rollout dates; `None` for the default (optional from today, mandatory
    /// in three months). One date alone: optional from it for ever, or mandatory from it.
    pub fn rollout(&self) -> Option<Rollout> {
        match (self.optional_from, self.mandatory_from) {
            (None, None) => None,
            (Some(optional_from), mandatory_from) => Some(Rollout {
                optional_from,
                mandatory_from: mandatory_from.unwrap_or(NaiveDate::MAX),
            }),
            (None, Some(mandatory_from)) => Some(Rollout {
                optional_from: mandatory_from,
                mandatory_from,
            }),
        }
    }

    fn sms(&self) -> Option<SmsProvider> {
        Some(match self.sms_provider? {
            SmsKind::Outbox => SmsProvider::Outbox(
                self.sms_outbox
                    .clone()
                    .unwrap_or_else(|| file_next_to(&self.database_url, "sms-outbox.jsonl")),
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

    fn mail(&self) -> Option<MailProvider> {
        Some(match self.mail_provider? {
            MailKind::Outbox => MailProvider::Outbox(
                self.mail_outbox
                    .clone()
                    .unwrap_or_else(|| file_next_to(&self.database_url, "mail-outbox.jsonl")),
            ),
            MailKind::Smtp => MailProvider::Smtp(Smtp {
                host: self.smtp_host.clone()?,
                port: self
                    .smtp_port
                    .unwrap_or(SmtpSecurity::from(self.smtp_security).default_port()),
                security: self.smtp_security.into(),
                credentials: self.smtp_username.clone().zip(self.smtp_password.clone()),
                from: self.mail_from.clone()?,
                ca_pem: self.smtp_ca_file.clone().map(|pem| pem.0),
            }),
        })
    }
}

/// Blank variables count as unset (a `KEY=` line in a unit or compose file), as clap would
/// otherwise parse the empty text; clap has no setting for this.
pub fn blank_env_is_unset(command: clap::Command) -> clap::Command {
    command.mut_args(|arg| {
        let blank = arg
            .get_env()
            .and_then(std::env::var_os)
            .is_some_and(|value| value.to_string_lossy().trim().is_empty());
        if blank { arg.env(None) } else { arg }
    })
}

/// Surrounding white space in a variable is ignored, as it always was: `"30 "` is 30. (clap's
/// own parsers take the value as it is.)
#[derive(Clone)]
struct Trimmed<P>(P);

impl<P: clap::builder::TypedValueParser> clap::builder::TypedValueParser for Trimmed<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        match value.to_str() {
            Some(text) => self
                .0
                .parse_ref(cmd, arg, std::ffi::OsStr::new(text.trim())),
            None => self.0.parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

fn short_text(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > 500 {
        Err("must be at most 500 characters".to_owned())
    } else {
        Ok(value.to_owned())
    }
}

fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a date as YYYY-MM-DD (for example 2027-07-01)".to_owned())
}

fn socket_addr(value: &str) -> Result<SocketAddr, String> {
    value.trim().parse().map_err(|_| {
        "must be an IP address and port, such as 127.0.0.1:9464 or [::1]:9464".to_owned()
    })
}

/// Whole days, from the minimum the domain keeps in any case up to a hundred years.
fn retention_days(value: &str) -> Result<i64, String> {
    let minimum = retention::MINIMUM_RETENTION_DAYS;
    match value.trim().parse::<i64>() {
        Ok(days) if (minimum..=36_500).contains(&days) => Ok(days),
        Ok(days) if days < minimum => Err(format!(
            "must be at least {minimum} days: the helpdesk and the SMS limits need the recent history (the default is {})",
            retention::DEFAULT_RETENTION_DAYS
        )),
        _ => Err(format!(
            "must be a whole number of days from {minimum} to 36500 (the default is {})",
            retention::DEFAULT_RETENTION_DAYS
        )),
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

fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn public_host(value: &str) -> Result<String, String> {
    let value = value.trim();
    if is_host_name(value) {
        Ok(value.to_owned())
    } else {
        Err("must be a host name such as praktijk.example.nl, without scheme or port".to_owned())
    }
}

/// `https://praktijk.example.nl[:port]`, as browsers send it in `Origin`: nothing after the
/// host and port.
fn public_origin(value: &str) -> Result<String, String> {
    let value = value.trim();
    let bare = url::Url::parse(value).is_ok_and(|url| {
        url.username().is_empty()
            && url.password().is_none()
            && url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
    });
    match crate::middleware::origin_of(value) {
        Some(origin) if bare => Ok(origin),
        _ => Err(
            "must be the address clinicians use, scheme and host (and port), such as https://praktijk.example.nl"
                .to_owned(),
        ),
    }
}

fn smtp_host(value: &str) -> Result<String, String> {
    // An IPv6 address may come in brackets, as in URLs.
    let host = value.trim().trim_start_matches('[').trim_end_matches(']');
    if is_host_name(host) || host.parse::<IpAddr>().is_ok() {
        Ok(host.to_owned())
    } else {
        Err(
            "must be a host name or IP address such as smtp.example.nl, without scheme or port"
                .to_owned(),
        )
    }
}

fn mailbox(value: &str) -> Result<Mailbox, String> {
    value.trim().parse().map_err(|_| {
        "must be a mail address, optionally with a name, such as PRO Praktijksteun <noreply@praktijk.example.nl>".to_owned()
    })
}

fn ca_file(value: &str) -> Result<CaPem, String> {
    let problem = match std::fs::read(value.trim()) {
        Ok(pem) if tweestap_domain::mail::is_ca_pem(&pem) => return Ok(CaPem(pem)),
        Ok(_) => "holds no PEM certificate that can be used",
        Err(_) => "cannot be read",
    };
    Err(format!(
        "must be a PEM file with the CA certificate(s) of the mail server; {value:?} {problem}"
    ))
}

/// The trusted proxies, as one comma-separated value; empty parts (a trailing comma) are
/// skipped, as they always were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies(pub Vec<IpAddr>);

fn ip_addresses(value: &str) -> Result<Proxies, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse().map_err(|_| {
                "must be IP addresses separated by commas (for example 127.0.0.1,::1)".to_owned()
            })
        })
        .collect::<Result<_, _>>()
        .map(Proxies)
}

/// `name` in the SQLite database's folder, or in the working directory for PostgreSQL: the
/// development key file and the SMS and mail outboxes.
fn file_next_to(database_url: &str, name: &str) -> PathBuf {
    let folder = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.starts_with(":memory:"))
        .and_then(|path| Path::new(path).parent().map(Path::to_path_buf))
        .unwrap_or_default();
    folder.join(name)
}

fn load_or_create_key(path: &Path) -> std::io::Result<SecretKey> {
    if let Ok(encoded) = std::fs::read_to_string(path) {
        let bytes = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                std::io::Error::other(format!(
                    "{} does not hold a 32-byte base64 key",
                    path.display()
                ))
            })?;
        tracing::warn!(file = %path.display(), "using the development key file; set TWEESTAP_SECRET_KEY in production");
        return Ok(SecretKey::from_bytes(bytes));
    }
    let bytes = tweestap_domain::crypto::os_random::<32>();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, STANDARD.encode(bytes).as_bytes())?;
    tracing::warn!(file = %path.display(), "no TWEESTAP_SECRET_KEY: created a development key file; set TWEESTAP_SECRET_KEY in production");
    Ok(SecretKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args as _, FromArgMatches as _};

    /// The configuration from exactly these variables, validated: each is given as its flag
    /// to the command with every `env` removed, so tests neither read nor change the process
    /// environment.
    fn parse(vars: &[(&str, &str)]) -> Result<Config, String> {
        let command = Config::augment_args(clap::Command::new("server"));
        let mut args = vec!["server".to_owned()];
        for (name, value) in vars {
            let arg = command
                .get_arguments()
                .find(|arg| arg.get_env().is_some_and(|env| env == *name))
                .unwrap_or_else(|| panic!("no variable {name}"));
            args.push(format!("--{}={value}", arg.get_long().unwrap()));
        }
        let matches = command
            .mut_args(|arg| arg.env(None))
            .try_get_matches_from(args)
            .map_err(|e| e.to_string())?;
        let config = Config::from_arg_matches(&matches).map_err(|e| e.to_string())?;
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    /// The settings from exactly these variables, with a fixed key.
    fn settings(vars: &[(&str, &str)]) -> Result<Settings, String> {
        parse(vars).map(|config| config.settings_with_key(SecretKey::from_bytes([7; 32])))
    }

    #[test]
    fn defaults_need_nothing_set() {
        let parsed = parse(&[]).unwrap();
        assert_eq!(parsed.database_url, DEFAULT_DATABASE_URL);
        assert!(!parsed.demo, "demo accounts are off unless asked for");
        assert_eq!(parsed.rollout(), None);
        assert!(
            matches!(parsed.key(), KeySource::DevelopmentFile(ref p) if p == Path::new("tweestap.key"))
        );
        let config = settings(&[]).unwrap();
        assert_eq!(config.session_idle, Duration::minutes(30));
        assert_eq!(config.session_max, Duration::hours(12));
        assert_eq!(config.remember_for, Duration::hours(12));
        assert_eq!(config.second_step_for, Duration::minutes(10));
        assert_eq!(config.public_origin, None);
        assert_eq!(config.platform_name, Settings::DEFAULT_PLATFORM_NAME);
        assert_eq!(config.helpdesk, Settings::DEFAULT_HELPDESK);
        assert!(config.trusted_proxies.is_empty(), "no proxy is believed");
        assert_eq!(
            config.guessing,
            tweestap_domain::accounts::guessing::Limits::default()
        );
    }

    #[test]
    fn the_password_limits_are_read_and_checked_sec_25() {
        let config = settings(&[
            ("TWEESTAP_PASSWORD_FREE_ATTEMPTS", "3"),
            ("TWEESTAP_PASSWORD_MAX_WAIT_MINUTES", "60"),
            ("TWEESTAP_PASSWORD_ACCOUNT_LIMIT", "10"),
            ("TWEESTAP_PASSWORD_ADDRESS_LIMIT", "500"),
            ("TWEESTAP_PASSWORD_LOCK_MINUTES", "45"),
        ])
        .unwrap();
        assert_eq!(config.guessing.free_attempts, 3);
        assert_eq!(config.guessing.max_wait, Duration::minutes(60));
        assert_eq!(config.guessing.account_per_hour, 10);
        assert_eq!(config.guessing.address_per_hour, 500);
        assert_eq!(config.guessing.lock_for, Duration::minutes(45));
        for (name, value) in [
            ("TWEESTAP_PASSWORD_FREE_ATTEMPTS", "0"),
            ("TWEESTAP_PASSWORD_ACCOUNT_LIMIT", "veel"),
            ("TWEESTAP_PASSWORD_LOCK_MINUTES", "-5"),
        ] {
            let err = parse(&[(name, value)]).unwrap_err();
            assert!(err.contains(name), "{name}={value}: {err}");
        }
    }

    #[test]
    fn the_hashing_workers_and_queue_are_read_and_checked_sec_29() {
        assert_eq!(settings(&[]).unwrap().hashing, HashingLimits::default());
        let config = settings(&[
            ("TWEESTAP_HASH_WORKERS", "3"),
            ("TWEESTAP_HASH_QUEUE", "20"),
        ])
        .unwrap();
        assert_eq!(
            config.hashing,
            HashingLimits {
                workers: 3,
                queue: 20
            }
        );
        for (name, value) in [
            ("TWEESTAP_HASH_WORKERS", "0"),
            ("TWEESTAP_HASH_QUEUE", "0"),
            ("TWEESTAP_HASH_QUEUE", "veel"),
        ] {
            let err = parse(&[(name, value)]).unwrap_err();
            assert!(err.contains(name), "{name}={value}: {err}");
        }
    }

    #[test]
    fn white_space_around_a_value_is_ignored() {
        let config = settings(&[
            ("TWEESTAP_SESSION_IDLE_MINUTES", " 15 "),
            ("TWEESTAP_SMS_PROVIDER", " outbox "),
            ("TWEESTAP_DEMO", " true"),
        ])
        .unwrap();
        assert_eq!(config.session_idle, Duration::minutes(15));
        assert!(config.sms.provider.is_some());
        assert!(parse(&[("TWEESTAP_DEMO", "true ")]).unwrap().demo);
    }

    #[test]
    fn the_retention_period_is_a_year_by_default_and_never_below_a_month_sec_26() {
        assert_eq!(settings(&[]).unwrap().retention, Duration::days(365));
        let config = settings(&[("TWEESTAP_RETENTION_DAYS", " 730 ")]).unwrap();
        assert_eq!(config.retention, Duration::days(730));
        assert_eq!(
            settings(&[("TWEESTAP_RETENTION_DAYS", "30")])
                .unwrap()
                .retention,
            Duration::days(30)
        );
        for (value, problem) in [
            ("29", "must be at least 30 days"),
            ("0", "must be at least 30 days"),
            ("-365", "must be at least 30 days"),
            (
                "een jaar",
                "must be a whole number of days from 30 to 36500",
            ),
            ("365.5", "must be a whole number of days"),
            ("36501", "must be a whole number of days"),
        ] {
            let err = parse(&[("TWEESTAP_RETENTION_DAYS", value)]).unwrap_err();
            assert!(
                err.contains("TWEESTAP_RETENTION_DAYS") && err.contains(problem),
                "{value}: {err}"
            );
        }
    }

    #[test]
    fn a_database_url_is_checked_and_never_shown() {
        let err = parse(&[("DATABASE_URL", "mysql://root:geheim@db/tweestap")]).unwrap_err();
        assert!(
            err.contains("DATABASE_URL must start with sqlite:"),
            "{err}"
        );
        assert!(!err.contains("geheim"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let config = settings(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1, ::1")]).unwrap();
        assert_eq!(
            config.trusted_proxies,
            vec![
                "127.0.0.1".parse::<std::net::IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        // A trailing comma or an empty variable names no proxy.
        let config = settings(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1,")]).unwrap();
        assert_eq!(config.trusted_proxies.len(), 1);
        let err = settings(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1,proxy.local")]).unwrap_err();
        assert!(
            err.contains("<TWEESTAP_TRUSTED_PROXIES>': must be IP addresses"),
            "{err}"
        );
    }

    // SEC-32: the public origin as browsers write it, and nothing else.
    #[test]
    fn the_public_origin_is_a_scheme_and_host_sec_32() {
        for (given, origin) in [
            ("https://praktijk.example.nl", "https://praktijk.example.nl"),
            (
                " https://Praktijk.Example.nl/ ",
                "https://praktijk.example.nl",
            ),
            (
                "https://praktijk.example.nl:443",
                "https://praktijk.example.nl",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ] {
            let config = settings(&[("TWEESTAP_PUBLIC_ORIGIN", given)]).unwrap();
            assert_eq!(config.public_origin.as_deref(), Some(origin), "{given}");
        }
        for bad in [
            "praktijk.example.nl",
            "https://praktijk.example.nl/platform",
            "https://praktijk.example.nl?x=1",
            "https://beheer@praktijk.example.nl",
            "ftp://praktijk.example.nl",
        ] {
            let err = settings(&[("TWEESTAP_PUBLIC_ORIGIN", bad)]).unwrap_err();
            assert!(
                err.contains("<TWEESTAP_PUBLIC_ORIGIN>': must be the address clinicians use"),
                "{bad}: {err}"
            );
        }
    }

    // SEC-30: the second step's own short time, between one minute and an hour.
    #[test]
    fn the_second_step_minutes_are_read_and_checked_sec_30() {
        let config = settings(&[("TWEESTAP_SECOND_STEP_MINUTES", "3")]).unwrap();
        assert_eq!(config.second_step_for, Duration::minutes(3));
        for bad in ["0", "61", "tien"] {
            let err = settings(&[("TWEESTAP_SECOND_STEP_MINUTES", bad)]).unwrap_err();
            assert!(err.contains("TWEESTAP_SECOND_STEP_MINUTES"), "{bad}: {err}");
        }
    }

    #[test]
    fn metrics_are_off_and_logs_are_text_unless_configured_sec_28() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.metrics_addr, None);
        assert!(config.metrics_token().is_none());
        assert_eq!(config.log_format, LogFormat::Text);
        let token = "0123456789abcdef0123456789abcdef";
        let config = parse(&[
            ("TWEESTAP_METRICS_ADDR", " 127.0.0.1:9464 "),
            ("TWEESTAP_METRICS_TOKEN", token),
            ("TWEESTAP_LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert_eq!(config.metrics_addr, Some("127.0.0.1:9464".parse().unwrap()));
        assert!(config.metrics_token().is_some());
        assert_eq!(config.log_format, LogFormat::Json);

        let err = parse(&[("TWEESTAP_LOG_FORMAT", "xml")]).unwrap_err();
        assert!(
            err.contains("TWEESTAP_LOG_FORMAT") && err.contains("[possible values: text, json]"),
            "{err}"
        );
        let err = parse(&[("TWEESTAP_METRICS_ADDR", "localhost")]).unwrap_err();
        assert!(
            err.contains("TWEESTAP_METRICS_ADDR") && err.contains("IP address and port"),
            "{err}"
        );
        // A short token is refused, and never shown.
        let err = parse(&[("TWEESTAP_METRICS_TOKEN", "geheim-maar-kort")]).unwrap_err();
        assert!(
            err.contains("TWEESTAP_METRICS_TOKEN must be at least 32 characters"),
            "{err}"
        );
        assert!(!err.contains("geheim-maar-kort"), "{err}");
    }

    #[test]
    fn rollout_dates_are_read_and_checked() {
        let config = settings(&[
            ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-01-01"),
            ("TWEESTAP_2FA_MANDATORY_FROM", "2027-07-01"),
        ])
        .unwrap();
        let rollout = config.rollout;
        assert_eq!(rollout.last_optional_day(), "30 juni 2027");
        let err = settings(&[
            ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-07-01"),
            ("TWEESTAP_2FA_MANDATORY_FROM", "2027-01-01"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("must not be after"));
    }

    /// clap stops at the first bad value, so each is tried alone; the problems between
    /// variables are reported all at once.
    #[test]
    fn every_bad_value_is_named() {
        for (name, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("TWEESTAP_DEMO", "perhaps"),
            ("TWEESTAP_SECRET_KEY", "c2hvcnQ="),
            ("TWEESTAP_SESSION_IDLE_MINUTES", "abc"),
            ("TWEESTAP_SESSION_MAX_HOURS", "0"),
            ("TWEESTAP_2FA_OPTIONAL_FROM", "1 juli"),
            ("TWEESTAP_REMEMBER_HOURS", "-3"),
            ("TWEESTAP_RETENTION_DAYS", "7"),
            ("TWEESTAP_PLATFORM_NAME", &"x".repeat(501)),
            ("TWEESTAP_TWILIO_BASE_URL", "http://twilio.example"),
        ] {
            let err = parse(&[(name, value)]).unwrap_err();
            assert!(err.contains(name), "{name} missing from: {err}");
        }
        let err = parse(&[
            ("TWEESTAP_SECRET_KEY", "c2hvcnQ="),
            ("TWEESTAP_SESSION_IDLE_MINUTES", "1440"),
            ("TWEESTAP_SESSION_MAX_HOURS", "1"),
            ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-07-01"),
            ("TWEESTAP_2FA_MANDATORY_FROM", "2027-01-01"),
        ])
        .unwrap_err();
        for name in [
            "TWEESTAP_SECRET_KEY",
            "TWEESTAP_SESSION_IDLE_MINUTES must not be longer",
            "TWEESTAP_2FA_OPTIONAL_FROM must not be after",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
        assert!(!err.contains("c2hvcnQ="), "the key is never printed: {err}");
    }

    #[test]
    fn sms_is_off_unless_a_provider_is_chosen() {
        let config = settings(&[]).unwrap();
        assert!(config.sms.provider.is_none());
        assert_eq!(config.sms.limits, SmsLimits::default());
        let config = settings(&[
            ("DATABASE_URL", "sqlite://data/tw.db?mode=rwc"),
            ("TWEESTAP_SMS_PROVIDER", "outbox"),
            ("TWEESTAP_SMS_COOLDOWN_SECONDS", "5"),
            ("TWEESTAP_SMS_MAX_PER_DAY", "3"),
            ("TWEESTAP_PUBLIC_HOST", "praktijk.example.nl"),
        ])
        .unwrap();
        assert!(
            matches!(config.sms.provider, Some(SmsProvider::Outbox(ref p)) if p == Path::new("data/sms-outbox.jsonl"))
        );
        assert_eq!(config.sms.limits.cooldown, Duration::seconds(5));
        assert_eq!(config.sms.limits.per_day, 3);
        assert_eq!(config.sms.host, "praktijk.example.nl");
    }

    #[test]
    fn twilio_needs_its_account_and_one_sender() {
        let err = settings(&[("TWEESTAP_SMS_PROVIDER", "twilio")]).unwrap_err();
        let text = err.to_string();
        for name in [
            "TWEESTAP_TWILIO_ACCOUNT_SID",
            "TWEESTAP_TWILIO_AUTH_TOKEN",
            "TWEESTAP_TWILIO_FROM",
        ] {
            assert!(text.contains(name), "{name} missing from: {text}");
        }
        let config = settings(&[
            ("TWEESTAP_SMS_PROVIDER", "twilio"),
            ("TWEESTAP_TWILIO_ACCOUNT_SID", "AC123"),
            ("TWEESTAP_TWILIO_AUTH_TOKEN", "geheim"),
            ("TWEESTAP_TWILIO_MESSAGING_SERVICE_SID", "MG456"),
        ])
        .unwrap();
        let Some(SmsProvider::Twilio(twilio)) = config.sms.provider else {
            panic!("twilio expected");
        };
        assert_eq!(twilio.base_url, "https://api.twilio.com");
        assert!(matches!(twilio.sender, TwilioSender::MessagingService(ref s) if s == "MG456"));
        assert!(
            !format!("{twilio:?}").contains("geheim"),
            "the auth token is never printed"
        );
        for (name, value) in [
            ("TWEESTAP_SMS_PROVIDER", "carrier-pigeon"),
            ("TWEESTAP_SMS_MAX_PER_USER_HOUR", "0"),
            ("TWEESTAP_PUBLIC_HOST", "https://x.nl/"),
        ] {
            let err = parse(&[(name, value)]).unwrap_err();
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn mail_is_off_unless_a_provider_is_chosen_and_the_outbox_sits_by_the_database() {
        assert!(settings(&[]).unwrap().mail.provider.is_none());
        let config = settings(&[
            ("DATABASE_URL", "sqlite://data/tw.db?mode=rwc"),
            ("TWEESTAP_MAIL_PROVIDER", "outbox"),
        ])
        .unwrap();
        assert!(
            matches!(config.mail.provider, Some(MailProvider::Outbox(ref p)) if p == Path::new("data/mail-outbox.jsonl"))
        );
        let config = settings(&[
            ("TWEESTAP_MAIL_PROVIDER", "outbox"),
            ("TWEESTAP_MAIL_OUTBOX", "/tmp/mails.jsonl"),
        ])
        .unwrap();
        assert!(
            matches!(config.mail.provider, Some(MailProvider::Outbox(ref p)) if p == Path::new("/tmp/mails.jsonl"))
        );
        let err = settings(&[("TWEESTAP_MAIL_PROVIDER", "sendmail")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("TWEESTAP_MAIL_PROVIDER")
                && err.contains("[possible values: outbox, smtp]"),
            "{err}"
        );
    }

    fn smtp(vars: &[(&str, &str)]) -> Result<Smtp, String> {
        let mut all = vec![("TWEESTAP_MAIL_PROVIDER", "smtp")];
        all.extend_from_slice(vars);
        match settings(&all)?.mail {
            MailSettings {
                provider: Some(MailProvider::Smtp(smtp)),
                ..
            } => Ok(smtp),
            other => panic!("SMTP expected: {other:?}"),
        }
    }

    #[test]
    fn smtp_defaults_to_starttls_on_587_and_reads_the_rest() {
        let server = smtp(&[
            ("TWEESTAP_SMTP_HOST", "smtp.example.nl"),
            (
                "TWEESTAP_MAIL_FROM",
                "PRO Praktijksteun <noreply@praktijk.example.nl>",
            ),
        ])
        .unwrap();
        assert_eq!(server.host, "smtp.example.nl");
        assert_eq!(
            (server.security, server.port),
            (SmtpSecurity::StartTls, 587)
        );
        assert_eq!(server.credentials, None);
        assert_eq!(server.from.email.to_string(), "noreply@praktijk.example.nl");
        assert_eq!(server.from.name.as_deref(), Some("PRO Praktijksteun"));

        let server = smtp(&[
            ("TWEESTAP_SMTP_HOST", "smtp.example.nl"),
            ("TWEESTAP_SMTP_SECURITY", "tls"),
            ("TWEESTAP_SMTP_USERNAME", "tweestap"),
            ("TWEESTAP_SMTP_PASSWORD", "smtp-geheim"),
            ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
        ])
        .unwrap();
        assert_eq!((server.security, server.port), (SmtpSecurity::Tls, 465));
        assert_eq!(
            server.credentials,
            Some(("tweestap".to_owned(), "smtp-geheim".to_owned()))
        );
        assert!(
            !format!("{server:?}").contains("smtp-geheim"),
            "the password is never printed"
        );

        let server = smtp(&[
            ("TWEESTAP_SMTP_HOST", "127.0.0.1"),
            ("TWEESTAP_SMTP_SECURITY", "none"),
            ("TWEESTAP_SMTP_PORT", "2525"),
            ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
        ])
        .unwrap();
        assert_eq!((server.security, server.port), (SmtpSecurity::Plain, 2525));
    }

    #[test]
    fn smtp_reads_the_ca_file_of_an_internal_mail_server() {
        let dir = std::env::temp_dir().join(format!("tweestap-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pem = dir.join("ca.pem");
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        std::fs::write(&pem, params.self_signed(&key).unwrap().pem()).unwrap();
        let not_pem = dir.join("ca.txt");
        std::fs::write(&not_pem, "geen certificaat").unwrap();
        // PEM armour around something that is no certificate.
        let broken = dir.join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let with = |file: &Path, security: &'static str| {
            let file = file.to_str().unwrap().to_owned();
            let vars = [
                ("TWEESTAP_SMTP_HOST", "smtp.zorg.local".to_owned()),
                ("TWEESTAP_SMTP_SECURITY", security.to_owned()),
                ("TWEESTAP_SMTP_CA_FILE", file),
                ("TWEESTAP_MAIL_FROM", "noreply@zorg.local".to_owned()),
            ];
            let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
            smtp(&vars)
        };
        let server = with(&pem, "starttls").unwrap();
        assert_eq!(server.ca_pem, Some(std::fs::read(&pem).unwrap()));
        let missing = dir.join("missing.pem");
        for (file, problem) in [
            (not_pem.as_path(), "holds no PEM certificate"),
            (broken.as_path(), "holds no PEM certificate"),
            (missing.as_path(), "cannot be read"),
        ] {
            let err = with(file, "tls").unwrap_err();
            assert!(
                err.contains("TWEESTAP_SMTP_CA_FILE") && err.contains(problem),
                "{err}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn smtp_refuses_plain_text_over_a_network_and_names_every_bad_value() {
        let err = smtp(&[
            ("TWEESTAP_SMTP_HOST", "smtp.example.nl"),
            ("TWEESTAP_SMTP_SECURITY", "none"),
            ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
        ])
        .unwrap_err();
        assert!(
            err.contains("TWEESTAP_SMTP_SECURITY=none is only allowed"),
            "{err}"
        );

        let err = smtp(&[]).unwrap_err();
        for name in ["TWEESTAP_SMTP_HOST", "TWEESTAP_MAIL_FROM"] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
        for (name, value) in [
            ("TWEESTAP_SMTP_HOST", "smtp://smtp.example.nl:587"),
            ("TWEESTAP_SMTP_SECURITY", "ssl"),
            ("TWEESTAP_SMTP_PORT", "70000"),
            ("TWEESTAP_SMTP_PORT", "0"),
            ("TWEESTAP_MAIL_FROM", "niet een adres"),
        ] {
            let err = smtp(&[(name, value)]).unwrap_err();
            assert!(err.contains(name), "{name} missing from: {err}");
        }
        let err = smtp(&[
            ("TWEESTAP_SMTP_HOST", "[::1]"),
            ("TWEESTAP_SMTP_SECURITY", "NONE"),
            ("TWEESTAP_SMTP_USERNAME", "tweestap"),
            ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
            ("TWEESTAP_SMTP_CA_FILE", "/nonexistent/ca.pem"),
        ])
        .unwrap_err();
        assert!(err.contains("TWEESTAP_SMTP_CA_FILE"), "{err}");
        let err = smtp(&[
            ("TWEESTAP_SMTP_HOST", "[::1]"),
            ("TWEESTAP_SMTP_SECURITY", "NONE"),
            ("TWEESTAP_SMTP_USERNAME", "tweestap"),
        ])
        .unwrap_err();
        for name in ["TWEESTAP_SMTP_PASSWORD", "TWEESTAP_MAIL_FROM"] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn reads_a_configured_key_and_the_timeouts() {
        let key = STANDARD.encode([9u8; 32]);
        let parsed = parse(&[("TWEESTAP_SECRET_KEY", &key), ("TWEESTAP_DEMO", "true")]).unwrap();
        assert!(matches!(parsed.key(), KeySource::Configured(ref k) if k.expose() == &[9u8; 32]));
        assert!(parsed.demo);
        assert!(parse(&[("TWEESTAP_DEMO", "no")]).is_ok_and(|c| !c.demo));
        let config = settings(&[
            ("TWEESTAP_SECRET_KEY", &key),
            ("TWEESTAP_SESSION_IDLE_MINUTES", "15"),
            ("TWEESTAP_SESSION_MAX_HOURS", "8"),
            ("TWEESTAP_DEMO", "true"),
        ])
        .unwrap();
        assert_eq!(config.session_idle, Duration::minutes(15));
        assert_eq!(config.session_max, Duration::hours(8));
    }

    #[test]
    fn the_development_key_sits_next_to_the_database_and_is_private() {
        assert_eq!(
            file_next_to("sqlite://data/tw.db?mode=rwc", "tweestap.key"),
            Path::new("data/tweestap.key")
        );
        assert_eq!(
            file_next_to("postgres://db/x", "tweestap.key"),
            Path::new("tweestap.key")
        );

        let dir = std::env::temp_dir().join(format!("tweestap-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tweestap.key");
        std::fs::remove_file(&path).ok();
        let first = load_or_create_key(&path).unwrap();
        let again = load_or_create_key(&path).unwrap();
        assert_eq!(
            first.expose(),
            again.expose(),
            "the key is reused on the next start"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
