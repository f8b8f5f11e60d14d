//! Configuration from environment variables, read once at startup. Every bad value is reported
//! with the variable's name and what it should look like, all at once.

use std::path::{Path, PathBuf};

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::Duration;

use chrono::NaiveDate;
use tweestap_domain::{
    crypto::SecretKey,
    mail::{MailProvider, MailSettings, Smtp, SmtpSecurity},
    settings::Settings,
    sms::{SmsLimits, SmsProvider, SmsSettings, Twilio, TwilioSender},
    twofactor::policy::Rollout,
};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://tweestap.db?mode=rwc";

#[derive(Debug)]
pub struct Config {
    pub database_url: String,
    pub demo: bool,
    pub key: KeySource,
    pub platform_name: String,
    pub helpdesk: String,
    pub session_idle: Duration,
    pub session_max: Duration,
    /// Configured rollout dates; `None` for the default (optional from today, mandatory in
    /// three months).
    pub rollout: Option<Rollout>,
    pub remember_for: Duration,
    pub sms: SmsSettings,
    pub mail: MailSettings,
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

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
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            problems.push(
                "DATABASE_URL must start with sqlite: or postgres:// (for example sqlite://tweestap.db?mode=rwc)".to_owned(),
            );
        }

        let demo = match var("TWEESTAP_DEMO")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(other) => {
                problems.push(format!(
                    "TWEESTAP_DEMO must be true or false, not {other:?}"
                ));
                false
            }
        };

        let key = match var("TWEESTAP_SECRET_KEY") {
            Some(encoded) => match STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
            {
                Some(bytes) => KeySource::Configured(SecretKey::from_bytes(bytes)),
                None => {
                    problems.push(
                        "TWEESTAP_SECRET_KEY must be 32 bytes in base64 (make one with: openssl rand -base64 32)".to_owned(),
                    );
                    KeySource::DevelopmentFile(PathBuf::new())
                }
            },
            None => KeySource::DevelopmentFile(file_next_to(&database_url, "tweestap.key")),
        };

        let session_idle = minutes_or_hours(
            &var,
            "TWEESTAP_SESSION_IDLE_MINUTES",
            30,
            1..=1440,
            Duration::minutes,
            &mut problems,
        );
        let session_max = minutes_or_hours(
            &var,
            "TWEESTAP_SESSION_MAX_HOURS",
            12,
            1..=720,
            Duration::hours,
            &mut problems,
        );
        if session_idle > session_max {
            problems.push(
                "TWEESTAP_SESSION_IDLE_MINUTES must not be longer than TWEESTAP_SESSION_MAX_HOURS"
                    .to_owned(),
            );
        }

        let remember_for = minutes_or_hours(
            &var,
            "TWEESTAP_REMEMBER_HOURS",
            12,
            1..=720,
            Duration::hours,
            &mut problems,
        );

        let date = |name: &str, problems: &mut Vec<String>| -> Option<NaiveDate> {
            let raw = var(name)?;
            match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    problems.push(format!(
                        "{name} must be a date as YYYY-MM-DD (for example 2027-07-01), not {raw:?}"
                    ));
                    None
                }
            }
        };
        let optional_from = date("TWEESTAP_2FA_OPTIONAL_FROM", &mut problems);
        let mandatory_from = date("TWEESTAP_2FA_MANDATORY_FROM", &mut problems);
        let rollout = match (optional_from, mandatory_from) {
            (None, None) => None,
            (Some(optional_from), Some(mandatory_from)) if optional_from <= mandatory_from => {
                Some(Rollout {
                    optional_from,
                    mandatory_from,
                })
            }
            (Some(_), Some(_)) => {
                problems.push(
                    "TWEESTAP_2FA_OPTIONAL_FROM must not be after TWEESTAP_2FA_MANDATORY_FROM"
                        .to_owned(),
                );
                None
            }
            (Some(optional_from), None) => Some(Rollout {
                optional_from,
                mandatory_from: NaiveDate::MAX,
            }),
            (None, Some(mandatory_from)) => Some(Rollout {
                optional_from: mandatory_from,
                mandatory_from,
            }),
        };

        let text = |name: &str, default: &str, problems: &mut Vec<String>| {
            let value = var(name).unwrap_or_else(|| default.to_owned());
            if value.chars().count() > 500 {
                problems.push(format!("{name} must be at most 500 characters"));
            }
            value
        };
        let platform_name = text(
            "TWEESTAP_PLATFORM_NAME",
            Settings::DEFAULT_PLATFORM_NAME,
            &mut problems,
        );
        let helpdesk = text(
            "TWEESTAP_HELPDESK",
            Settings::DEFAULT_HELPDESK,
            &mut problems,
        );

        let sms = sms_settings(&var, &database_url, &mut problems);
        let mail = mail_settings(&var, &database_url, &mut problems);
        let trusted_proxies = trusted_proxies(var("TWEESTAP_TRUSTED_PROXIES"), &mut problems);

        if problems.is_empty() {
            Ok(Self {
                database_url,
                demo,
                key,
                platform_name,
                helpdesk,
                session_idle,
                session_max,
                rollout,
                remember_for,
                sms,
                mail,
                trusted_proxies,
            })
        } else {
            Err(ConfigError(problems))
        }
    }

    /// The settings for the app, with the key loaded or, in development, made.
    pub fn settings(&self) -> std::io::Result<Settings> {
        let secret_key = match &self.key {
            KeySource::Configured(key) => key.clone(),
            KeySource::DevelopmentFile(path) => load_or_create_key(path)?,
        };
        let mut settings = Settings::with_key(secret_key);
        settings.platform_name = self.platform_name.clone();
        settings.helpdesk = self.helpdesk.clone();
        settings.session_idle = self.session_idle;
        settings.session_max = self.session_max;
        settings.remember_for = self.remember_for;
        settings.sms = self.sms.clone();
        settings.mail = self.mail.clone();
        settings.trusted_proxies = self.trusted_proxies.clone();
        if let Some(rollout) = self.rollout {
            settings.rollout = rollout;
        }
        Ok(settings)
    }
}

/// `TWEESTAP_TRUSTED_PROXIES`: the addresses of the reverse proxies in front of the server,
/// separated by commas; only their `X-Forwarded-For` is believed.
fn trusted_proxies(value: Option<String>, problems: &mut Vec<String>) -> Vec<std::net::IpAddr> {
    let Some(value) = value else {
        return Vec::new();
    };
    let mut proxies = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse() {
            Ok(ip) => proxies.push(ip),
            Err(_) => problems.push(format!(
                "TWEESTAP_TRUSTED_PROXIES must be IP addresses separated by commas (for example 127.0.0.1,::1), not {part:?}"
            )),
        }
    }
    proxies
}

/// `TWEESTAP_SMS_PROVIDER` and what it needs, the limits, and the host named in messages.
fn sms_settings(
    var: &impl Fn(&str) -> Option<String>,
    database_url: &str,
    problems: &mut Vec<String>,
) -> SmsSettings {
    let defaults = SmsLimits::default();
    let count = |name: &str, default: u64, problems: &mut Vec<String>| -> u64 {
        match var(name) {
            None => default,
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(n) if (1..=1_000_000).contains(&n) => n,
                _ => {
                    problems.push(format!(
                        "{name} must be a whole number from 1 to 1000000, not {raw:?}"
                    ));
                    default
                }
            },
        }
    };
    let cooldown = minutes_or_hours(
        var,
        "TWEESTAP_SMS_COOLDOWN_SECONDS",
        defaults.cooldown.num_seconds(),
        1..=3600,
        Duration::seconds,
        problems,
    );
    let limits = SmsLimits {
        cooldown,
        per_user_hour: count(
            "TWEESTAP_SMS_MAX_PER_USER_HOUR",
            defaults.per_user_hour,
            problems,
        ),
        per_user_day: count(
            "TWEESTAP_SMS_MAX_PER_USER_DAY",
            defaults.per_user_day,
            problems,
        ),
        per_number_day: count(
            "TWEESTAP_SMS_MAX_PER_NUMBER_DAY",
            defaults.per_number_day,
            problems,
        ),
        per_day: count("TWEESTAP_SMS_MAX_PER_DAY", defaults.per_day, problems),
    };
    let timeout = minutes_or_hours(
        var,
        "TWEESTAP_SMS_TIMEOUT_SECONDS",
        10,
        1..=120,
        Duration::seconds,
        problems,
    )
    .to_std()
    .unwrap_or(std::time::Duration::from_secs(10));
    let host = var("TWEESTAP_PUBLIC_HOST").unwrap_or_else(|| "localhost".to_owned());
    if host.len() > 253
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        problems.push(format!(
            "TWEESTAP_PUBLIC_HOST must be a host name such as praktijk.example.nl, without scheme or port, not {host:?}"
        ));
    }
    let provider = match var("TWEESTAP_SMS_PROVIDER").as_deref().map(str::trim) {
        None => None,
        Some("outbox") => Some(SmsProvider::Outbox(
            var("TWEESTAP_SMS_OUTBOX")
                .map(PathBuf::from)
                .unwrap_or_else(|| file_next_to(database_url, "sms-outbox.jsonl")),
        )),
        Some("twilio") => {
            let mut required = |name: &str| {
                var(name).unwrap_or_else(|| {
                    problems.push(format!(
                        "{name} is required with TWEESTAP_SMS_PROVIDER=twilio"
                    ));
                    String::new()
                })
            };
            let account_sid = required("TWEESTAP_TWILIO_ACCOUNT_SID");
            let auth_token = required("TWEESTAP_TWILIO_AUTH_TOKEN");
            let sender = match (
                var("TWEESTAP_TWILIO_FROM"),
                var("TWEESTAP_TWILIO_MESSAGING_SERVICE_SID"),
            ) {
                (Some(from), None) => TwilioSender::From(from),
                (None, Some(service)) => TwilioSender::MessagingService(service),
                _ => {
                    problems.push(
                        "set exactly one of TWEESTAP_TWILIO_FROM and TWEESTAP_TWILIO_MESSAGING_SERVICE_SID".to_owned(),
                    );
                    TwilioSender::From(String::new())
                }
            };
            let base_url = var("TWEESTAP_TWILIO_BASE_URL")
                .unwrap_or_else(|| Twilio::DEFAULT_BASE_URL.to_owned());
            if !(base_url.starts_with("https://") || base_url.starts_with("http://127.0.0.1")) {
                problems.push(
                    "TWEESTAP_TWILIO_BASE_URL must start with https:// (or http://127.0.0.1 for a test server)".to_owned(),
                );
            }
            Some(SmsProvider::Twilio(Twilio {
                base_url,
                account_sid,
                auth_token,
                sender,
            }))
        }
        Some(other) => {
            problems.push(format!(
                "TWEESTAP_SMS_PROVIDER must be outbox or twilio (or unset for no SMS), not {other:?}"
            ));
            None
        }
    };
    SmsSettings {
        provider,
        limits,
        host,
        timeout,
    }
}

/// `TWEESTAP_MAIL_PROVIDER` and what it needs: the outbox file, or the SMTP server.
fn mail_settings(
    var: &impl Fn(&str) -> Option<String>,
    database_url: &str,
    problems: &mut Vec<String>,
) -> MailSettings {
    let provider = match var("TWEESTAP_MAIL_PROVIDER").as_deref().map(str::trim) {
        None => None,
        Some("outbox") => Some(MailProvider::Outbox(
            var("TWEESTAP_MAIL_OUTBOX")
                .map(PathBuf::from)
                .unwrap_or_else(|| file_next_to(database_url, "mail-outbox.jsonl")),
        )),
        Some("smtp") => smtp_settings(var, problems).map(MailProvider::Smtp),
        Some(other) => {
            problems.push(format!(
                "TWEESTAP_MAIL_PROVIDER must be outbox or smtp (or unset for no mail), not {other:?}"
            ));
            None
        }
    };
    MailSettings {
        provider,
        ..MailSettings::default()
    }
}

fn smtp_settings(
    var: &impl Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Option<Smtp> {
    let host = var("TWEESTAP_SMTP_HOST").map(|h| {
        // An IPv6 address may come in brackets, as in URLs.
        h.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned()
    });
    match &host {
        None => problems
            .push("TWEESTAP_SMTP_HOST is required with TWEESTAP_MAIL_PROVIDER=smtp".to_owned()),
        Some(h)
            if h.is_empty()
                || h.len() > 253
                || !(h
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                    || h.parse::<std::net::IpAddr>().is_ok()) =>
        {
            problems.push(format!(
                "TWEESTAP_SMTP_HOST must be a host name or IP address such as smtp.example.nl, without scheme or port, not {h:?}"
            ));
        }
        Some(_) => {}
    }
    let security = match var("TWEESTAP_SMTP_SECURITY")
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("starttls") => SmtpSecurity::StartTls,
        Some("tls") => SmtpSecurity::Tls,
        Some("none") => SmtpSecurity::Plain,
        Some(other) => {
            problems.push(format!(
                "TWEESTAP_SMTP_SECURITY must be starttls, tls or none, not {other:?}"
            ));
            SmtpSecurity::StartTls
        }
    };
    // Without TLS the password and every mail could be read and changed on the way; only a
    // server on this machine (a local relay) is reached without crossing a network.
    if security == SmtpSecurity::Plain
        && host
            .as_deref()
            .is_some_and(|h| !tweestap_domain::mail::is_loopback(h))
    {
        problems.push(
            "TWEESTAP_SMTP_SECURITY=none is only allowed for a server on this machine (localhost, 127.0.0.1 or ::1): use starttls or tls".to_owned(),
        );
    }
    let port = match var("TWEESTAP_SMTP_PORT") {
        None => security.default_port(),
        Some(raw) => match raw.trim().parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => {
                problems.push(format!(
                    "TWEESTAP_SMTP_PORT must be a port number from 1 to 65535, not {raw:?}"
                ));
                security.default_port()
            }
        },
    };
    let credentials = match (var("TWEESTAP_SMTP_USERNAME"), var("TWEESTAP_SMTP_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, password)),
        (None, None) => None,
        _ => {
            problems.push(
                "set both TWEESTAP_SMTP_USERNAME and TWEESTAP_SMTP_PASSWORD, or neither".to_owned(),
            );
            None
        }
    };
    let from = match var("TWEESTAP_MAIL_FROM") {
        None => {
            problems.push("TWEESTAP_MAIL_FROM is required with TWEESTAP_MAIL_PROVIDER=smtp (for example: PRO Praktijksteun <noreply@praktijk.example.nl>)".to_owned());
            None
        }
        Some(raw) => match raw.trim().parse::<tweestap_domain::mail::Mailbox>() {
            Ok(mailbox) => Some(mailbox),
            Err(_) => {
                problems.push(format!(
                    "TWEESTAP_MAIL_FROM must be a mail address, optionally with a name, such as PRO Praktijksteun <noreply@praktijk.example.nl>, not {raw:?}"
                ));
                None
            }
        },
    };
    let ca_pem = var("TWEESTAP_SMTP_CA_FILE").and_then(|path| {
        let problem = match std::fs::read(path.trim()) {
            Ok(pem) if tweestap_domain::mail::is_ca_pem(&pem) => return Some(pem),
            Ok(_) => "holds no PEM certificate that can be used",
            Err(_) => "cannot be read",
        };
        problems.push(format!(
            "TWEESTAP_SMTP_CA_FILE must be a PEM file with the CA certificate(s) of the mail server; {path:?} {problem}"
        ));
        None
    });
    if ca_pem.is_some() && security == SmtpSecurity::Plain {
        problems
            .push("TWEESTAP_SMTP_CA_FILE needs TWEESTAP_SMTP_SECURITY=starttls or tls".to_owned());
    }
    Some(Smtp {
        host: host?,
        port,
        security,
        credentials,
        from: from?,
        ca_pem,
    })
}

fn minutes_or_hours(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
    unit: fn(i64) -> Duration,
    problems: &mut Vec<String>,
) -> Duration {
    match var(name) {
        None => unit(default),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => unit(n),
            _ => {
                problems.push(format!(
                    "{name} must be a whole number from {} to {}, not {raw:?}",
                    range.start(),
                    range.end()
                ));
                unit(default)
            }
        },
    }
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
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_need_nothing_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert!(!config.demo, "demo accounts are off unless asked for");
        assert_eq!(config.session_idle, Duration::minutes(30));
        assert_eq!(config.session_max, Duration::hours(12));
        assert_eq!(config.remember_for, Duration::hours(12));
        assert_eq!(config.rollout, None);
        assert!(
            matches!(config.key, KeySource::DevelopmentFile(ref p) if p == Path::new("tweestap.key"))
        );
        assert!(config.trusted_proxies.is_empty(), "no proxy is believed");
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let config = config(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1, ::1")]).unwrap();
        assert_eq!(
            config.trusted_proxies,
            vec![
                "127.0.0.1".parse::<std::net::IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        let err = super::tests::config(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1,proxy.local")])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("TWEESTAP_TRUSTED_PROXIES must be IP addresses"),
            "{err}"
        );
    }

    #[test]
    fn rollout_dates_are_read_and_checked() {
        let config = config(&[
            ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-01-01"),
            ("TWEESTAP_2FA_MANDATORY_FROM", "2027-07-01"),
        ])
        .unwrap();
        let rollout = config.rollout.unwrap();
        assert_eq!(rollout.last_optional_day(), "30 juni 2027");
        let err = super::tests::config(&[
            ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-07-01"),
            ("TWEESTAP_2FA_MANDATORY_FROM", "2027-01-01"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("must not be after"));
    }

    #[test]
    fn every_bad_value_is_named() {
        let err = config(&[
            ("DATABASE_URL", "mysql://x"),
            ("TWEESTAP_DEMO", "perhaps"),
            ("TWEESTAP_SECRET_KEY", "c2hvcnQ="),
            ("TWEESTAP_SESSION_IDLE_MINUTES", "abc"),
            ("TWEESTAP_SESSION_MAX_HOURS", "0"),
            ("TWEESTAP_2FA_OPTIONAL_FROM", "1 juli"),
            ("TWEESTAP_REMEMBER_HOURS", "-3"),
        ])
        .unwrap_err();
        let text = err.to_string();
        for name in [
            "DATABASE_URL",
            "TWEESTAP_DEMO",
            "TWEESTAP_SECRET_KEY",
            "TWEESTAP_SESSION_IDLE_MINUTES",
            "TWEESTAP_SESSION_MAX_HOURS",
            "TWEESTAP_2FA_OPTIONAL_FROM",
            "TWEESTAP_REMEMBER_HOURS",
        ] {
            assert!(text.contains(name), "{name} missing from: {text}");
        }
    }

    #[test]
    fn sms_is_off_unless_a_provider_is_chosen() {
        let config = config(&[]).unwrap();
        assert!(config.sms.provider.is_none());
        assert_eq!(config.sms.limits, SmsLimits::default());
        let config = super::tests::config(&[
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
        let err = config(&[("TWEESTAP_SMS_PROVIDER", "twilio")]).unwrap_err();
        let text = err.to_string();
        for name in [
            "TWEESTAP_TWILIO_ACCOUNT_SID",
            "TWEESTAP_TWILIO_AUTH_TOKEN",
            "TWEESTAP_TWILIO_FROM",
        ] {
            assert!(text.contains(name), "{name} missing from: {text}");
        }
        let config = super::tests::config(&[
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
        let err = super::tests::config(&[
            ("TWEESTAP_SMS_PROVIDER", "carrier-pigeon"),
            ("TWEESTAP_SMS_MAX_PER_USER_HOUR", "0"),
            ("TWEESTAP_PUBLIC_HOST", "https://x.nl/"),
        ])
        .unwrap_err()
        .to_string();
        for name in [
            "TWEESTAP_SMS_PROVIDER",
            "TWEESTAP_SMS_MAX_PER_USER_HOUR",
            "TWEESTAP_PUBLIC_HOST",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn mail_is_off_unless_a_provider_is_chosen_and_the_outbox_sits_by_the_database() {
        assert!(config(&[]).unwrap().mail.provider.is_none());
        let config = super::tests::config(&[
            ("DATABASE_URL", "sqlite://data/tw.db?mode=rwc"),
            ("TWEESTAP_MAIL_PROVIDER", "outbox"),
        ])
        .unwrap();
        assert!(
            matches!(config.mail.provider, Some(MailProvider::Outbox(ref p)) if p == Path::new("data/mail-outbox.jsonl"))
        );
        let config = super::tests::config(&[
            ("TWEESTAP_MAIL_PROVIDER", "outbox"),
            ("TWEESTAP_MAIL_OUTBOX", "/tmp/mails.jsonl"),
        ])
        .unwrap();
        assert!(
            matches!(config.mail.provider, Some(MailProvider::Outbox(ref p)) if p == Path::new("/tmp/mails.jsonl"))
        );
        let err = super::tests::config(&[("TWEESTAP_MAIL_PROVIDER", "sendmail")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("TWEESTAP_MAIL_PROVIDER must be outbox or smtp"),
            "{err}"
        );
    }

    fn smtp(vars: &[(&str, &str)]) -> Result<Smtp, String> {
        let mut all = vec![("TWEESTAP_MAIL_PROVIDER", "smtp")];
        all.extend_from_slice(vars);
        match config(&all) {
            Ok(Config {
                mail:
                    MailSettings {
                        provider: Some(MailProvider::Smtp(smtp)),
                        ..
                    },
                ..
            }) => Ok(smtp),
            Ok(other) => panic!("SMTP expected: {:?}", other.mail),
            Err(err) => Err(err.to_string()),
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
        let err = smtp(&[
            ("TWEESTAP_SMTP_HOST", "smtp://smtp.example.nl:587"),
            ("TWEESTAP_SMTP_SECURITY", "ssl"),
            ("TWEESTAP_SMTP_PORT", "70000"),
            ("TWEESTAP_SMTP_USERNAME", "tweestap"),
            ("TWEESTAP_MAIL_FROM", "niet een adres"),
        ])
        .unwrap_err();
        for name in [
            "TWEESTAP_SMTP_HOST",
            "TWEESTAP_SMTP_SECURITY",
            "TWEESTAP_SMTP_PORT",
            "TWEESTAP_SMTP_PASSWORD",
            "TWEESTAP_MAIL_FROM",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn reads_a_configured_key_and_the_timeouts() {
        let key = STANDARD.encode([9u8; 32]);
        let config = config(&[
            ("TWEESTAP_SECRET_KEY", &key),
            ("TWEESTAP_SESSION_IDLE_MINUTES", "15"),
            ("TWEESTAP_SESSION_MAX_HOURS", "8"),
            ("TWEESTAP_DEMO", "true"),
        ])
        .unwrap();
        assert!(matches!(config.key, KeySource::Configured(ref k) if k.expose() == &[9u8; 32]));
        assert_eq!(config.session_idle, Duration::minutes(15));
        assert_eq!(config.session_max, Duration::hours(8));
        assert!(config.demo);
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
