//! What a service can answer besides success, in the domain's words. The app maps each to one
//! of the browser's fixed Dutch messages (`app::error`); nothing here is shown to a user as is.

use chrono::{DateTime, Utc};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input: {0:?}")]
    Invalid(Invalid),
    /// Unknown email and wrong password are one answer (SEC-15).
    #[error("unknown email or wrong password")]
    InvalidCredentials,
    #[error("the session is missing or has ended")]
    NotLoggedIn,
    #[error("not allowed for this user")]
    Forbidden,
    /// The password asked again was wrong.
    #[error("wrong password")]
    WrongPassword,
    #[error("the app's code was rejected")]
    CodeRejected,
    /// The app's code was wrong, but it is the code of a step a few minutes away: the phone's
    /// clock seems to run about `minutes` ahead or behind. Refused and counted as any wrong
    /// code (SEC-14); nothing is accepted or spent.
    #[error(
        "the app's code was rejected: the phone's clock seems {minutes} min off (ahead: {ahead})"
    )]
    ClockDrift { minutes: u8, ahead: bool },
    #[error("the SMS code was rejected")]
    SmsCodeRejected,
    #[error("the SMS code has expired")]
    SmsCodeExpired,
    #[error("the recovery code was rejected")]
    RecoveryCodeRejected,
    /// Too many wrong codes: the account's second step is locked (SEC-14).
    #[error("the second step is locked until {until}")]
    Locked { until: DateTime<Utc> },
    /// Too many wrong passwords for this account from this address: the next attempt from
    /// here waits until `until` (SEC-25).
    #[error("password attempts from this address must wait until {until}")]
    PasswordWait { until: DateTime<Utc> },
    /// A ceiling on wrong passwords was reached: the account, or the client address, is
    /// locked at the password step until `until` (SEC-25).
    #[error("password logins locked ({scope:?}) until {until}")]
    PasswordLocked {
        scope: LockScope,
        until: DateTime<Utc>,
    },
    /// The password must be entered again first (SEC-20).
    #[error("the password must be confirmed again")]
    ReauthenticationRequired,
    #[error("the second step is still to come")]
    SecondStepRequired,
    #[error("two-step authentication must be set up first")]
    EnrolmentRequired,
    #[error("two-step authentication is mandatory")]
    TwoFactorMandatory,
    /// Helpdesk actions need the admin's own second step.
    #[error("the acting user has not passed a second step of their own")]
    OwnTwoFactorRequired,
    #[error("SMS cooldown")]
    SmsCooldown,
    #[error("SMS limit reached")]
    SmsLimit,
    /// No provider, or the installation's daily maximum (SEC-10).
    #[error("SMS is unavailable")]
    SmsUnavailable,
    #[error("the SMS could not be sent")]
    SmsNotSent,
    /// No public origin with a host name: WebAuthn has no relying party (SEC-33).
    #[error("passkeys are not available here")]
    PasskeyUnavailable,
    /// The passkey's answer was refused: another origin, an old or used challenge, no user
    /// verification, a key of another user, or a sign counter that went back (SEC-33).
    #[error("the passkey was refused")]
    PasskeyRejected,
    /// The method is not offered by this installation's policy (SEC-33).
    #[error("the method is not offered here")]
    MethodNotOffered,
    #[error("database failure")]
    Database(#[from] DbErr),
    #[error("password hashing failed")]
    Hashing(#[from] HashError),
    /// Something that should not happen: stored data that does not decrypt, a task that died.
    /// Logged once, with this text, where the app maps it; the browser hears only that it failed.
    #[error("{0}")]
    Internal(String),
}

/// What a lock at the password step holds (SEC-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockScope {
    /// One account, from every address.
    Account,
    /// One client address, for every account.
    Address,
}

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Every worker is busy and the queue is full (SEC-29): try again in a moment.
    #[error("password hashing is busy")]
    Busy,
    #[error("the hashing workers have stopped")]
    Stopped,
}

/// What is wrong with what the user typed or chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    EmailMissing,
    EmailTooLong,
    EmailInvalid,
    PasswordMissing,
    PasswordTooLong,
    PasswordTooShort,
    NewPasswordsDiffer,
    PasswordUnchanged,
    SearchInvalid,
    UserUnknown,
    CodeFormat,
    RecoveryCodeFormat,
    MethodMissing,
    CodesNotSaved,
    PhoneMissing,
    PhoneInvalid,
    ReasonMissing,
    PasskeyName,
    PasskeyLimit,
    /// The last passkey of a user whose only method is passkeys.
    PasskeyLast,
    /// A length for "Onthoud mij" that this installation does not offer.
    RememberLength,
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl Error {
    /// The error and each of its causes, for the log.
    pub fn chain(&self) -> String {
        let mut chain = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        chain
    }
}

/// Outcomes compare by kind and fields, so that tests can say `Err(Error::CodeRejected)`.
/// Internal failures equal nothing, not even themselves: no test should expect one.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Invalid(a), Self::Invalid(b)) => a == b,
            (Self::Locked { until: a }, Self::Locked { until: b }) => a == b,
            (
                Self::ClockDrift {
                    minutes: a,
                    ahead: b,
                },
                Self::ClockDrift {
                    minutes: c,
                    ahead: d,
                },
            ) => a == c && b == d,
            (Self::Database(_) | Self::Hashing(_) | Self::Internal(_), _)
            | (_, Self::Database(_) | Self::Hashing(_) | Self::Internal(_)) => false,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_failure_keeps_its_cause() {
        let err = Error::from(DbErr::Custom("relation users does not exist".into()));
        assert!(err.chain().contains("relation users does not exist"));
    }

    #[test]
    fn outcomes_compare_by_kind() {
        assert_eq!(Error::CodeRejected, Error::CodeRejected);
        assert_ne!(Error::CodeRejected, Error::RecoveryCodeRejected);
        assert_eq!(
            Error::from(Invalid::CodeFormat),
            Error::Invalid(Invalid::CodeFormat)
        );
        assert_ne!(Error::Internal("x".into()), Error::Internal("x".into()));
    }
}
