//! The one error type the browser sees. Every message is in the page's language (Dutch, the
//! manual's words, or English; `app/locales/*/errors.json`), says what the clinician can do
//! next, and never tells whether an account exists or which factor failed.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::lang::tr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// Unknown email and wrong password look exactly alike (SEC-15).
    InvalidCredentials,
    NotLoggedIn,
    /// The password was given, but the second step took too long (SEC-30): the session is gone.
    SecondStepExpired,
    Forbidden,
    /// Something the user can correct.
    InvalidInput(Invalid),
    WrongPassword,
    WrongCode,
    /// A wrong code that was the app's code a few minutes earlier or later: the phone's clock
    /// is off. Refused and counted as any wrong code.
    ClockDrift {
        minutes: DriftMinutes,
        ahead: bool,
    },
    WrongSmsCode,
    SmsCodeExpired,
    SmsCooldown,
    SmsLimit,
    SmsUnavailable,
    SmsNotSent,
    PasskeyUnavailable,
    PasskeyRejected,
    /// A passwordless sign-in the server refused: on the login page, where the way on is the
    /// password, not "Andere manier".
    PasskeySignInRejected,
    MethodNotOffered,
    /// TWEESTAP_ADMIN_REQUIRES_PASSKEY, and this login was not with a passkey (SEC-34).
    PasskeyLoginRequired,
    /// The browser's prompt was closed or timed out (the browser's NotAllowedError).
    PasskeyCancelled,
    /// The key is registered already (the browser's InvalidStateError).
    PasskeyKnown,
    /// The browser has no WebAuthn, or refused for another reason.
    PasskeyBrowser,
    WrongRecoveryCode,
    Locked,
    /// Too many wrong passwords for this account from here (SEC-25); the same words for an
    /// account that does not exist.
    PasswordWait,
    AccountLocked,
    AddressLocked,
    PasswordConfirmationNeeded,
    SecondStepRequired,
    EnrolmentRequired,
    /// SMS is no longer offered and was this user's only method (SEC-33).
    MethodChangeRequired,
    TwoFactorMandatory,
    OwnTwoFactorRequired,
    ForeignOrigin,
    /// Every password check is taken and the queue is full (SEC-29).
    Busy,
    TooLarge,
    Internal,
    Network,
}

/// What is wrong with the input, as a fixed list: an error travels back to a plain form in the
/// page's address, and a link someone else made must not be able to put their words on our page.
///
/// It has the domain's `Invalid` variants and the request's own (`Malformed`, `BadEncoding`), with
/// the Dutch words. Not the domain's type itself: the domain is not part of the browser's build
/// (it holds SeaORM, argon2 and the secrets' code), and this one travels to the browser. The
/// exhaustive `From` below keeps the two in step: a new variant in the domain does not compile
/// until it has its words here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Invalid {
    Malformed,
    BadEncoding,
    EmailMissing,
    EmailTooLong,
    EmailInvalid,
    PasswordMissing,
    PasswordTooLong,
    /// The number is `Password::MIN_LEN`; a test keeps the two together.
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
    PasskeyLast,
    RememberLength,
}

impl AppError {
    /// What the page says, in its language.
    pub fn message(&self) -> String {
        let text = match self {
            Self::InvalidInput(invalid) => invalid.message(),
            Self::ClockDrift { minutes, ahead } => return clock_drift_message(*minutes, *ahead),
            Self::InvalidCredentials => tr!(errors.invalid_credentials),
            Self::NotLoggedIn => tr!(errors.not_logged_in),
            Self::SecondStepExpired => tr!(errors.second_step_expired),
            Self::Forbidden => tr!(errors.forbidden),
            Self::WrongPassword => tr!(errors.wrong_password),
            Self::WrongCode => tr!(errors.wrong_code),
            Self::WrongSmsCode => tr!(errors.wrong_sms_code),
            Self::SmsCodeExpired => tr!(errors.sms_code_expired),
            Self::SmsCooldown => tr!(errors.sms_cooldown),
            Self::SmsLimit => tr!(errors.sms_limit),
            Self::SmsUnavailable => tr!(errors.sms_unavailable),
            Self::SmsNotSent => tr!(errors.sms_not_sent),
            Self::PasskeyUnavailable => tr!(errors.passkey_unavailable),
            Self::PasskeyRejected => tr!(errors.passkey_rejected),
            Self::PasskeySignInRejected => tr!(errors.passkey_sign_in_rejected),
            Self::MethodNotOffered => tr!(errors.method_not_offered),
            Self::PasskeyLoginRequired => tr!(errors.passkey_login_required),
            Self::PasskeyCancelled => tr!(errors.passkey_cancelled),
            Self::PasskeyKnown => tr!(errors.passkey_known),
            Self::PasskeyBrowser => tr!(errors.passkey_browser),
            Self::WrongRecoveryCode => tr!(errors.wrong_recovery_code),
            Self::Locked => tr!(errors.locked),
            Self::PasswordWait => tr!(errors.password_wait),
            Self::AccountLocked => tr!(errors.account_locked),
            Self::AddressLocked => tr!(errors.address_locked),
            Self::PasswordConfirmationNeeded => tr!(errors.password_confirmation_needed),
            Self::SecondStepRequired => tr!(errors.second_step_required),
            Self::EnrolmentRequired => tr!(errors.enrolment_required),
            Self::MethodChangeRequired => tr!(errors.method_change_required),
            Self::TwoFactorMandatory => tr!(errors.two_factor_mandatory),
            Self::OwnTwoFactorRequired => tr!(errors.own_two_factor_required),
            Self::ForeignOrigin => tr!(errors.foreign_origin),
            Self::Busy => tr!(errors.busy),
            Self::TooLarge => tr!(errors.too_large),
            Self::Internal => tr!(errors.internal),
            Self::Network => tr!(errors.network),
        };
        text.to_owned()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AppError {}

impl Invalid {
    /// What the page says, in its language.
    pub fn message(self) -> &'static str {
        match self {
            Self::Malformed => tr!(errors.invalid.malformed),
            Self::BadEncoding => tr!(errors.invalid.bad_encoding),
            Self::EmailMissing => tr!(errors.invalid.email_missing),
            Self::EmailTooLong => tr!(errors.invalid.email_too_long),
            Self::EmailInvalid => tr!(errors.invalid.email_invalid),
            Self::PasswordMissing => tr!(errors.invalid.password_missing),
            Self::PasswordTooLong => tr!(errors.invalid.password_too_long),
            Self::PasswordTooShort => tr!(errors.invalid.password_too_short),
            Self::NewPasswordsDiffer => tr!(errors.invalid.new_passwords_differ),
            Self::PasswordUnchanged => tr!(errors.invalid.password_unchanged),
            Self::SearchInvalid => tr!(errors.invalid.search_invalid),
            Self::UserUnknown => tr!(errors.invalid.user_unknown),
            Self::CodeFormat => tr!(errors.invalid.code_format),
            Self::RecoveryCodeFormat => tr!(errors.invalid.recovery_code_format),
            Self::MethodMissing => tr!(errors.invalid.method_missing),
            Self::CodesNotSaved => tr!(errors.invalid.codes_not_saved),
            Self::PhoneMissing => tr!(errors.invalid.phone_missing),
            Self::PhoneInvalid => tr!(errors.invalid.phone_invalid),
            Self::ReasonMissing => tr!(errors.invalid.reason_missing),
            Self::PasskeyName => tr!(errors.invalid.passkey_name),
            Self::PasskeyLimit => tr!(errors.invalid.passkey_limit),
            Self::PasskeyLast => tr!(errors.invalid.passkey_last),
            Self::RememberLength => tr!(errors.invalid.remember_length),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Invalid {}

/// About how many minutes a phone's clock is off, as a clock-drift message says it: 1 to
/// `MAX`. The error travels in a plain form's address, so a number from elsewhere is refused
/// when it is read: a link cannot make the page say "600 minuten".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct DriftMinutes(u8);

impl DriftMinutes {
    /// The domain's furthest drift, 10 steps of 30 s (a test keeps the two together).
    pub const MAX: u8 = 5;

    /// `minutes` brought within 1 to `MAX`.
    pub fn clamped(minutes: u8) -> Self {
        Self(minutes.clamp(1, Self::MAX))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for DriftMinutes {
    type Error = &'static str;

    fn try_from(minutes: u8) -> Result<Self, Self::Error> {
        if (1..=Self::MAX).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err("minutes out of range")
        }
    }
}

impl From<DriftMinutes> for u8 {
    fn from(minutes: DriftMinutes) -> Self {
        minutes.0
    }
}

/// "Deze code is niet geaccepteerd: de klok van je telefoon lijkt ongeveer 3 minuten voor te
/// lopen. ...", with what to do about it.
fn clock_drift_message(minutes: DriftMinutes, ahead: bool) -> String {
    let minutes = crate::words::count(
        minutes.get(),
        tr!(errors.clock_drift.minute),
        tr!(errors.clock_drift.minutes),
    );
    if ahead {
        tr!(errors.clock_drift.ahead, minutes = minutes.clone()).to_string()
    } else {
        tr!(errors.clock_drift.behind, minutes = minutes.clone()).to_string()
    }
}

impl AppError {
    pub fn invalid(invalid: Invalid) -> Self {
        Self::InvalidInput(invalid)
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidCredentials
            | Self::NotLoggedIn
            | Self::SecondStepExpired
            | Self::WrongPassword
            | Self::WrongCode
            | Self::ClockDrift { .. }
            | Self::WrongRecoveryCode
            | Self::WrongSmsCode
            | Self::SmsCodeExpired
            | Self::PasskeyRejected
            | Self::PasskeySignInRejected
            | Self::PasskeyCancelled
            | Self::PasswordConfirmationNeeded
            | Self::SecondStepRequired => 401,
            Self::Forbidden
            | Self::ForeignOrigin
            | Self::EnrolmentRequired
            | Self::MethodChangeRequired
            | Self::TwoFactorMandatory
            | Self::MethodNotOffered
            | Self::PasskeyLoginRequired
            | Self::OwnTwoFactorRequired => 403,
            Self::Locked
            | Self::PasswordWait
            | Self::AccountLocked
            | Self::AddressLocked
            | Self::SmsCooldown
            | Self::SmsLimit => 429,
            Self::SmsUnavailable | Self::SmsNotSent | Self::PasskeyUnavailable | Self::Busy => 503,
            Self::InvalidInput(_) | Self::PasskeyKnown | Self::PasskeyBrowser => 400,
            Self::TooLarge => 413,
            Self::Internal => 500,
            Self::Network => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A request the server cannot read: form fields, or a JSON body (a passkey's answer).
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => Self::invalid(Invalid::Malformed),
            ServerFnErrorErr::Request(_) => Self::Network,
            _ => Self::Internal,
        }
    }
}

/// A chunk of the app that could not be fetched (the passwordless sign-in's ceremony): the
/// line, as for a server function that cannot be reached.
#[cfg(feature = "hydrate")]
impl From<leptos::wasm_split::SplitLoaderError> for AppError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Self::Network
    }
}

/// The place under a form where its error is announced.
/// The region is always there, so that a screen reader announces an error that appears in it
/// after a call from the browser. Focus then moves to the form's first field, with its text
/// selected to type again (or to the message, when the form has no field), so a keyboard user
/// lands where the error is.
#[leptos::component]
pub fn FormError(
    #[prop(into)] error: leptos::prelude::Signal<Option<AppError>>,
) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let region = NodeRef::<leptos::html::Div>::new();
    // Not on the first run: an error the page was loaded with is read where it stands.
    Effect::new(move |first_run_done: Option<()>| {
        let failed = error.with(Option::is_some);
        if first_run_done.is_some() && failed {
            focus_after_error(region);
        }
    });
    view! {
        <div role="alert" class="form-error" node_ref=region>
            {move || error.get().map(|err| err.to_string())}
        </div>
    }
}

/// Focuses the first field of the form around `region`, or `region` itself.
fn focus_after_error(region: leptos::prelude::NodeRef<leptos::html::Div>) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::request_animation_frame(move || {
        use leptos::prelude::*;
        use leptos::wasm_bindgen::JsCast as _;
        use leptos::web_sys::{HtmlElement, HtmlInputElement};
        let Some(region) = region.get_untracked() else {
            return;
        };
        let field = region
            .closest("form")
            .ok()
            .flatten()
            .and_then(|form| {
                form.query_selector(
                    "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([disabled])",
                )
                .ok()
                .flatten()
            })
            .and_then(|field| field.dyn_into::<HtmlInputElement>().ok());
        if let Some(field) = field {
            let _ = field.focus();
            field.select();
        } else {
            let region: &HtmlElement = &region;
            let _ = region.set_attribute("tabindex", "-1");
            let _ = region.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = region;
}

/// The one place where the domain's answers become the browser's messages. An internal failure
/// is logged here, once, with its whole cause chain; the browser only hears that it failed.
#[cfg(feature = "ssr")]
impl From<tweestap_domain::Error> for AppError {
    fn from(err: tweestap_domain::Error) -> Self {
        use tweestap_domain::Error as E;
        match err {
            E::Invalid(invalid) => Self::InvalidInput(invalid.into()),
            E::InvalidCredentials => Self::InvalidCredentials,
            E::NotLoggedIn => Self::NotLoggedIn,
            E::Forbidden => Self::Forbidden,
            E::WrongPassword => Self::WrongPassword,
            E::CodeRejected => Self::WrongCode,
            E::ClockDrift { minutes, ahead } => Self::ClockDrift {
                minutes: DriftMinutes::clamped(minutes),
                ahead,
            },
            E::SmsCodeRejected => Self::WrongSmsCode,
            E::SmsCodeExpired => Self::SmsCodeExpired,
            E::RecoveryCodeRejected => Self::WrongRecoveryCode,
            E::Locked { .. } => Self::Locked,
            E::PasswordWait { .. } => Self::PasswordWait,
            E::PasswordLocked {
                scope: tweestap_domain::error::LockScope::Account,
                ..
            } => Self::AccountLocked,
            E::PasswordLocked {
                scope: tweestap_domain::error::LockScope::Address,
                ..
            } => Self::AddressLocked,
            E::ReauthenticationRequired => Self::PasswordConfirmationNeeded,
            E::SecondStepRequired => Self::SecondStepRequired,
            E::EnrolmentRequired => Self::EnrolmentRequired,
            E::TwoFactorMandatory => Self::TwoFactorMandatory,
            E::OwnTwoFactorRequired => Self::OwnTwoFactorRequired,
            E::SmsCooldown => Self::SmsCooldown,
            E::SmsLimit => Self::SmsLimit,
            E::SmsUnavailable => Self::SmsUnavailable,
            E::PasskeyUnavailable => Self::PasskeyUnavailable,
            E::PasskeyRejected => Self::PasskeyRejected,
            E::MethodNotOffered => Self::MethodNotOffered,
            E::SmsNotSent => Self::SmsNotSent,
            E::Hashing(tweestap_domain::error::HashError::Busy) => Self::Busy,
            E::Database(_) | E::Hashing(_) | E::Internal(_) => {
                tracing::error!(error = %err.chain(), "unexpected failure");
                Self::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<tweestap_domain::Invalid> for Invalid {
    fn from(invalid: tweestap_domain::Invalid) -> Self {
        use tweestap_domain::Invalid as I;
        match invalid {
            I::EmailMissing => Self::EmailMissing,
            I::EmailTooLong => Self::EmailTooLong,
            I::EmailInvalid => Self::EmailInvalid,
            I::PasswordMissing => Self::PasswordMissing,
            I::PasswordTooLong => Self::PasswordTooLong,
            I::PasswordTooShort => Self::PasswordTooShort,
            I::NewPasswordsDiffer => Self::NewPasswordsDiffer,
            I::PasswordUnchanged => Self::PasswordUnchanged,
            I::SearchInvalid => Self::SearchInvalid,
            I::UserUnknown => Self::UserUnknown,
            I::CodeFormat => Self::CodeFormat,
            I::RecoveryCodeFormat => Self::RecoveryCodeFormat,
            I::MethodMissing => Self::MethodMissing,
            I::CodesNotSaved => Self::CodesNotSaved,
            I::PhoneMissing => Self::PhoneMissing,
            I::PhoneInvalid => Self::PhoneInvalid,
            I::ReasonMissing => Self::ReasonMissing,
            I::PasskeyName => Self::PasskeyName,
            I::PasskeyLimit => Self::PasskeyLimit,
            I::PasskeyLast => Self::PasskeyLast,
            I::RememberLength => Self::RememberLength,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<tweestap_domain::Invalid> for AppError {
    fn from(invalid: tweestap_domain::Invalid) -> Self {
        Self::InvalidInput(invalid.into())
    }
}

/// A failure sending an SMS, as the code page and the wizard show it next to "Code opnieuw
/// versturen".
#[cfg(feature = "ssr")]
impl From<tweestap_domain::sms::SendProblem> for AppError {
    fn from(problem: tweestap_domain::sms::SendProblem) -> Self {
        tweestap_domain::Error::from(problem).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_arguments_are_a_client_error_in_dutch() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Args("expected `=`".into()));
        assert_eq!(err.status(), 400);
        assert!(err.to_string().starts_with("De invoer is ongeldig"));
    }

    #[test]
    fn unknown_failures_reveal_nothing() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "relation users does not exist".into(),
        ));
        assert_eq!(err, AppError::Internal);
        assert!(!err.to_string().contains("relation"));
    }

    #[test]
    fn a_clock_drift_says_how_far_which_way_and_what_to_do() {
        let one = AppError::ClockDrift {
            minutes: DriftMinutes::clamped(1),
            ahead: true,
        }
        .to_string();
        assert!(
            one.contains("lijkt ongeveer 1 minuut voor te lopen."),
            "{one}"
        );
        let three = AppError::ClockDrift {
            minutes: DriftMinutes::clamped(3),
            ahead: false,
        };
        assert_eq!(three.status(), 401);
        let three = three.to_string();
        assert!(
            three.contains("lijkt ongeveer 3 minuten achter te lopen."),
            "{three}"
        );
        for words in [
            "Zet de tijd op je telefoon op automatisch.",
            "Google Authenticator",
            "Instellingen > Tijdcorrectie voor codes",
        ] {
            assert!(three.contains(words), "{three}");
        }
    }

    // The error comes back to a plain form in the address: a number outside 1 to 5 put there
    // by someone else is not read.
    #[test]
    fn a_clock_drift_from_the_address_keeps_to_its_range() {
        let drift = AppError::ClockDrift {
            minutes: DriftMinutes::clamped(2),
            ahead: true,
        };
        let json = serde_json::to_string(&drift).unwrap();
        assert_eq!(json, r#"{"ClockDrift":{"minutes":2,"ahead":true}}"#);
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), drift);
        for minutes in [0, 6, 200] {
            let forged = json.replace(":2,", &format!(":{minutes},"));
            assert!(
                serde_json::from_str::<AppError>(&forged).is_err(),
                "{forged}"
            );
        }
        assert_eq!(DriftMinutes::clamped(0).get(), 1);
        assert_eq!(DriftMinutes::clamped(9).get(), DriftMinutes::MAX);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_furthest_drift_the_domain_tells_fits_the_message() {
        use tweestap_domain::twofactor::totp;
        assert_eq!(totp::drift_minutes(totp::DRIFT_STEPS), DriftMinutes::MAX);
        assert_eq!(
            AppError::from(tweestap_domain::Error::ClockDrift {
                minutes: 4,
                ahead: false
            }),
            AppError::ClockDrift {
                minutes: DriftMinutes::clamped(4),
                ahead: false
            }
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_message_for_short_passwords_names_the_minimum() {
        use tweestap_domain::accounts::password::Password;
        assert!(
            Invalid::PasswordTooShort
                .to_string()
                .contains(&format!(" {} ", Password::MIN_LEN))
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_lock_is_told_with_the_helpdesk_and_an_internal_failure_reveals_nothing() {
        let until = chrono::Utc::now();
        assert_eq!(
            AppError::from(tweestap_domain::Error::Locked { until }),
            AppError::Locked
        );
        let internal = AppError::from(tweestap_domain::Error::Database(sea_orm::DbErr::Custom(
            "relation users does not exist".into(),
        )));
        assert_eq!(internal, AppError::Internal);
        assert!(!internal.to_string().contains("relation"));
    }
}
