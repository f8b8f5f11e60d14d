//! What can happen to an account's sign-in, as the security log stores and words it.

use sea_orm::{ActiveEnum, DeriveActiveEnum, EnumIter, sea_query::StringLen};

use crate::lang::Lang;

/// What can happen to an account's sign-in. The stored kind is the variant's name in snake
/// case; the text is what the user reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
pub enum Event {
    TwoFactorEnabled,
    RecoveryCodeUsed,
    DeviceRemembered,
    Locked,
    HelpdeskReset,
    RecoveryCodesRegenerated,
    DeviceForgotten,
    TwoFactorDisabled,
    PasswordChanged,
    LockLifted,
    MethodChanged,
    PasswordLocked,
    PasswordLockLifted,
    PasskeyAdded,
    PasskeyRemoved,
    /// A passkey answered with a sign counter lower than before: refused, as possibly a copy.
    PasskeyCounterWentBack,
    /// A wrong app code that was the code of a step a few minutes away: the phone's clock is
    /// off. Detail: "ongeveer 3 minuten voor". Logged, not mailed (see `is_mailed`).
    ClockDrift,
}

impl Event {
    pub const ALL: [Self; 17] = [
        Self::PasswordChanged,
        Self::LockLifted,
        Self::MethodChanged,
        Self::TwoFactorDisabled,
        Self::DeviceForgotten,
        Self::RecoveryCodesRegenerated,
        Self::TwoFactorEnabled,
        Self::RecoveryCodeUsed,
        Self::DeviceRemembered,
        Self::Locked,
        Self::HelpdeskReset,
        Self::PasswordLocked,
        Self::PasswordLockLifted,
        Self::PasskeyAdded,
        Self::PasskeyRemoved,
        Self::PasskeyCounterWentBack,
        Self::ClockDrift,
    ];

    /// The stored kind, as `security_events.kind` and `mail_queue.kind` hold it.
    pub fn kind(self) -> String {
        self.to_value()
    }

    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::try_from_value(&kind.to_owned()).ok()
    }

    /// In Dutch, for the user's own log.
    pub fn text(self) -> &'static str {
        match self {
            Self::TwoFactorEnabled => "Twee-staps-authenticatie ingeschakeld",
            Self::RecoveryCodeUsed => "Ingelogd met een herstelcode",
            Self::DeviceRemembered => "Apparaat onthouden ('Onthoud mij')",
            Self::Locked => "Tweede stap geblokkeerd na te veel onjuiste codes",
            Self::HelpdeskReset => "Twee-staps-authenticatie gereset door de helpdesk",
            Self::RecoveryCodesRegenerated => "Nieuwe herstelcodes aangemaakt",
            Self::DeviceForgotten => "Onthouden apparaat vergeten",
            Self::TwoFactorDisabled => "Twee-staps-authenticatie uitgeschakeld",
            Self::PasswordChanged => "Wachtwoord gewijzigd",
            Self::LockLifted => "Blokkering van de tweede stap opgeheven door de helpdesk",
            Self::MethodChanged => "Authenticatie-methode gewijzigd",
            Self::PasswordLocked => "Inloggen geblokkeerd na te veel onjuiste wachtwoorden",
            Self::PasswordLockLifted => "Blokkering van het inloggen opgeheven door de helpdesk",
            Self::PasskeyAdded => "Passkey toegevoegd",
            Self::PasskeyRemoved => "Passkey verwijderd",
            Self::PasskeyCounterWentBack => {
                "Inloggen met een passkey geweigerd: de passkey is mogelijk gekopieerd"
            }
            Self::ClockDrift => "Code geweigerd: de klok van je telefoon loopt niet gelijk",
        }
    }

    /// Whether the entry also goes to the user by email (SEC-21). A refused code whose phone
    /// clock is off is not: it changes nothing on the account, other wrong codes are not mailed
    /// either, and the user reads the explanation on the page at that moment; a mail for each
    /// try again would only alarm.
    pub fn is_mailed(self) -> bool {
        self != Self::ClockDrift
    }
}

impl Event {
    /// In the user's language: Dutch as `text`, or English.
    pub fn text_in(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Nl => self.text(),
            Lang::En => self.english(),
        }
    }

    fn english(self) -> &'static str {
        match self {
            Self::TwoFactorEnabled => "Two-step authentication turned on",
            Self::RecoveryCodeUsed => "Logged in with a recovery code",
            Self::DeviceRemembered => "Device remembered ('Remember me')",
            Self::Locked => "Second step locked after too many wrong codes",
            Self::HelpdeskReset => "Two-step authentication reset by the helpdesk",
            Self::RecoveryCodesRegenerated => "New recovery codes created",
            Self::DeviceForgotten => "Remembered device forgotten",
            Self::TwoFactorDisabled => "Two-step authentication turned off",
            Self::PasswordChanged => "Password changed",
            Self::LockLifted => "Second-step lock lifted by the helpdesk",
            Self::MethodChanged => "Authentication method changed",
            Self::PasswordLocked => "Logging in locked after too many wrong passwords",
            Self::PasswordLockLifted => "Login lock lifted by the helpdesk",
            Self::PasskeyAdded => "Passkey added",
            Self::PasskeyRemoved => "Passkey removed",
            Self::PasskeyCounterWentBack => {
                "Passkey login refused: the passkey may have been copied"
            }
            Self::ClockDrift => "Code refused: your phone's clock is not in step",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Event;

    #[test]
    fn the_stored_kinds_stay_as_they_were() {
        let kinds: Vec<String> = Event::ALL.into_iter().map(Event::kind).collect();
        assert_eq!(
            kinds,
            [
                "password_changed",
                "lock_lifted",
                "method_changed",
                "two_factor_disabled",
                "device_forgotten",
                "recovery_codes_regenerated",
                "two_factor_enabled",
                "recovery_code_used",
                "device_remembered",
                "locked",
                "helpdesk_reset",
                "password_locked",
                "password_lock_lifted",
                "passkey_added",
                "passkey_removed",
                "passkey_counter_went_back",
                "clock_drift",
            ]
        );
        for event in Event::ALL {
            assert_eq!(Event::from_kind(&event.kind()), Some(event));
        }
        assert_eq!(Event::from_kind("unknown"), None);
    }
}
