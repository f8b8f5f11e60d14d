//! The product's settings as the services need them, validated at startup by the server's
//! configuration and handed to every service in the context.

use chrono::{Duration, Utc};

use crate::{
    crypto::SecretKey, mail::settings::MailSettings, sms::settings::SmsSettings, twofactor::policy,
};

/// How long the security log and the SMS send records are kept by default (SEC-26): a year, so
/// that an incident found months later can still be traced and a yearly audit sees a whole
/// cycle.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;

/// The product's settings, validated at startup.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The platform's name, shown in the header and used as issuer towards authenticator apps.
    pub platform_name: String,
    /// The helpdesk contact text in every page's footer.
    pub helpdesk: String,
    pub session_idle: Duration,
    pub session_max: Duration,
    /// How long a session that has only given its password may take for the second step
    /// (SEC-30).
    pub second_step_for: Duration,
    pub secret_key: SecretKey,
    /// When two-step authentication becomes optional and when mandatory.
    pub rollout: policy::Rollout,
    /// How long "Onthoud mij" spares the code on a browser by default: the first of the
    /// lengths offered (`twofactor::remembered::RememberFor`).
    pub remember_for: Duration,
    /// The longest a browser may be remembered: longer choices are not offered, nor accepted.
    pub remember_max: Duration,
    pub sms: SmsSettings,
    /// Security emails (SEC-21); none by default.
    pub mail: MailSettings,
    /// Limits on password guessing (SEC-25).
    pub guessing: crate::accounts::guessing_limits::Limits,
    /// The reverse proxies whose `X-Forwarded-For` names the client (SEC-14); none by default,
    /// and then the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address clinicians use, as `scheme://host[:port]` (`https://praktijk.example.nl`):
    /// the only origin a state-changing request may come from (SEC-32). `None`: the address the
    /// request was served as, over plain HTTP.
    pub public_origin: Option<String>,
    /// How long the security log and the SMS send records are kept (SEC-26); see `retention`.
    pub retention: Duration,
    /// Password hashing workers and their queue (SEC-29).
    pub hashing: crate::accounts::password::HashingLimits,
    /// The methods offered, and how SMS is (SEC-33).
    pub methods: crate::twofactor::method_policy::MethodPolicy,
    /// The helpdesk's actions need a login with a passkey (SEC-34).
    pub admin_requires_passkey: bool,
    /// A discoverable passkey alone may sign in from the login page, as both factors.
    pub passkey_sign_in: bool,
}

impl Settings {
    pub const DEFAULT_PLATFORM_NAME: &str = "PRO Praktijksteun";
    pub const DEFAULT_HELPDESK: &str =
        "Helpdesk: 088 - 123 45 67 (werkdagen 8.30 – 17.00 uur) of helpdesk@example.nl";
    pub const DEFAULT_SESSION_IDLE_MINUTES: i64 = 30;
    pub const DEFAULT_SESSION_MAX_HOURS: i64 = 12;
    pub const DEFAULT_SECOND_STEP_MINUTES: i64 = 10;
    pub const DEFAULT_REMEMBER_HOURS: i64 = 12;
    /// A week, the longest choice the manual's introduction offers.
    pub const DEFAULT_REMEMBER_MAX_HOURS: i64 = 168;

    /// Defaults with the given key: what tests start from.
    pub fn with_key(secret_key: SecretKey) -> Self {
        Self {
            platform_name: Self::DEFAULT_PLATFORM_NAME.to_owned(),
            helpdesk: Self::DEFAULT_HELPDESK.to_owned(),
            session_idle: Duration::minutes(Self::DEFAULT_SESSION_IDLE_MINUTES),
            session_max: Duration::hours(Self::DEFAULT_SESSION_MAX_HOURS),
            second_step_for: Duration::minutes(Self::DEFAULT_SECOND_STEP_MINUTES),
            secret_key,
            rollout: policy::Rollout::starting(policy::local_date(Utc::now())),
            remember_for: Duration::hours(Self::DEFAULT_REMEMBER_HOURS),
            remember_max: Duration::hours(Self::DEFAULT_REMEMBER_MAX_HOURS),
            sms: SmsSettings::default(),
            mail: MailSettings::default(),
            trusted_proxies: Vec::new(),
            public_origin: None,
            guessing: crate::accounts::guessing_limits::Limits::default(),
            retention: Duration::days(DEFAULT_RETENTION_DAYS),
            hashing: crate::accounts::password::HashingLimits::default(),
            methods: crate::twofactor::method_policy::MethodPolicy::default(),
            admin_requires_passkey: false,
            passkey_sign_in: false,
        }
    }
}
