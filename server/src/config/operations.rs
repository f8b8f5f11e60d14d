//! Running the server: where its data is and how it is kept, its key, whom it believes about
//! the client's address and the site's origin, and what it tells monitoring.

use std::{
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
};

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::Duration;
use clap::builder::BoolishValueParser;
use tweestap_domain::{crypto::SecretKey, retention, settings::Settings};

use super::parse::{Trimmed, unmet};
use crate::operations::MetricsToken;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://tweestap.db?mode=rwc";

/// The database, the key, the demo accounts, retention, proxies, the public origin, metrics
/// and logs.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "Operations")]
pub struct Operations {
    /// `sqlite:` file, or `postgres://...`
    // Checked in `problems`, and never shown: a PostgreSQL URL may hold a password.
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
    // A String, checked in `problems`: clap's errors would print the value.
    #[arg(
        long,
        env = "TWEESTAP_SECRET_KEY",
        value_name = "TWEESTAP_SECRET_KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// Days the security log and the SMS send records are kept, at least 30 (SEC-26)
    #[arg(long, env = "TWEESTAP_RETENTION_DAYS", value_name = "TWEESTAP_RETENTION_DAYS", default_value_t = retention::DEFAULT_RETENTION_DAYS, value_parser = retention_days)]
    pub retention_days: i64,
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
    // A String, checked in `problems`: clap's errors would print the value.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug)]
pub enum KeySource {
    Configured(SecretKey),
    /// No key configured: a development key in this file, made on first start.
    DevelopmentFile(PathBuf),
}

/// The trusted proxies, as one comma-separated value; empty parts (a trailing comma) are
/// skipped, as they always were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies(pub Vec<IpAddr>);

impl Operations {
    /// The database URL, the secret key and the metrics token, which clap does not check so
    /// that its errors never show them.
    pub(super) fn problems(&self) -> Vec<&'static str> {
        unmet([
            (
                ["sqlite:", "postgres://", "postgresql://"]
                    .iter()
                    .any(|prefix| self.database_url.starts_with(prefix)),
                "DATABASE_URL must start with sqlite: or postgres:// (for example sqlite://tweestap.db?mode=rwc)",
            ),
            (
                self.secret_key.is_none() || self.configured_key().is_some(),
                "TWEESTAP_SECRET_KEY must be 32 bytes in base64 (make one with: openssl rand -base64 32)",
            ),
            (
                self.metrics_token.is_none() || self.metrics_token().is_some(),
                "TWEESTAP_METRICS_TOKEN must be at least 32 characters without spaces (make one with: openssl rand -hex 32)",
            ),
        ])
    }

    /// Retention, the trusted proxies and the public origin.
    pub(super) fn apply(&self, settings: &mut Settings) {
        settings.retention = Duration::days(self.retention_days);
        settings.trusted_proxies = self.trusted_proxies.0.clone();
        settings.public_origin = self.public_origin.clone();
    }

    /// The token for `/metrics` on the main address, if one is configured and valid.
    pub fn metrics_token(&self) -> Option<MetricsToken> {
        MetricsToken::new(self.metrics_token.as_deref()?.trim().to_owned())
    }

    fn configured_key(&self) -> Option<SecretKey> {
        let bytes = STANDARD.decode(self.secret_key.as_deref()?.trim()).ok()?;
        Some(SecretKey::from_bytes(<[u8; 32]>::try_from(bytes).ok()?))
    }

    pub(super) fn key(&self) -> KeySource {
        match self.configured_key() {
            Some(key) => KeySource::Configured(key),
            None => KeySource::DevelopmentFile(file_next_to(&self.database_url, "tweestap.key")),
        }
    }

    /// The configured key or, in development, the one in the key file, made on first start.
    pub(super) fn load_key(&self) -> Result<SecretKey, String> {
        match self.key() {
            KeySource::Configured(key) => Ok(key),
            KeySource::DevelopmentFile(path) => {
                load_or_create_key(&path).map_err(|e| format!("secret key: {e}"))
            }
        }
    }
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
pub(super) fn file_next_to(database_url: &str, name: &str) -> PathBuf {
    let folder = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.starts_with(":memory:"))
        .and_then(|path| Path::new(path).parent().map(Path::to_path_buf))
        .unwrap_or_default();
    folder.join(name)
}

pub(super) fn load_or_create_key(path: &Path) -> std::io::Result<SecretKey> {
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
