//! What every service and server function is handed: the database, the clock, the settings
//! and the password hasher. Built once at startup and provided to Leptos as context.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;

use crate::{auth::password::PasswordHasher, error::AppError};

/// Where "now" comes from. Services never call `Utc::now()` themselves, so tests can move time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move: for tests and benchmarks.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// 32 bytes for encrypting secrets at rest and keying hashes. Never printed.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// The product's settings, validated at startup (see `server::config`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The platform's name, shown in the header and used as issuer towards authenticator apps.
    pub platform_name: String,
    /// The helpdesk contact text in every page's footer.
    pub helpdesk: String,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub secret_key: SecretKey,
    /// When two-step authentication becomes optional and when mandatory.
    pub rollout: crate::twofactor::policy::Rollout,
    /// How long "Onthoud mij" spares the code on a browser.
    pub remember_for: Duration,
    pub sms: crate::twofactor::sms::SmsSettings,
    /// Security emails (SEC-21); none by default.
    pub mail: crate::mail::MailSettings,
    /// The reverse proxies whose `X-Forwarded-For` names the client (SEC-14); none by default,
    /// and then the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Settings {
    pub const DEFAULT_PLATFORM_NAME: &str = "PRO Praktijksteun";
    pub const DEFAULT_HELPDESK: &str =
        "Helpdesk: 088 - 123 45 67 (werkdagen 8.30 – 17.00 uur) of helpdesk@example.nl";

    /// Defaults with the given key: what tests start from.
    pub fn with_key(secret_key: SecretKey) -> Self {
        Self {
            platform_name: Self::DEFAULT_PLATFORM_NAME.to_owned(),
            helpdesk: Self::DEFAULT_HELPDESK.to_owned(),
            session_idle: Duration::minutes(30),
            session_max: Duration::hours(12),
            secret_key,
            rollout: crate::twofactor::policy::Rollout::starting(
                crate::twofactor::policy::local_date(Utc::now()),
            ),
            remember_for: Duration::hours(12),
            sms: crate::twofactor::sms::SmsSettings::default(),
            mail: crate::mail::MailSettings::default(),
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub struct AppContext {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    /// Wakes the mail worker when a mail was queued.
    pub mail_kick: crate::mail::Kick,
}

impl AppContext {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self {
            db,
            clock,
            settings: Arc::new(settings),
            hasher: PasswordHasher::new(),
            mail_kick: crate::mail::Kick::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The context inside a server function or a server-side render.
    pub fn current() -> Result<Self, AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppContext missing from the Leptos context");
            AppError::Internal
        })
    }
}

/// Logs an unexpected failure with its whole cause chain and turns it into the browser's
/// generic message.
pub fn internal(err: impl std::error::Error) -> AppError {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "unexpected failure");
    AppError::Internal
}
