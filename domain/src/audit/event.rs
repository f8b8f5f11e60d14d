//! What can happen to an account's sign-in, as the security log stores and words it.

/// What can happen to an account's sign-in. The stored kind is the variant's name in snake
/// case; the text is what the user reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
}

impl Event {
    pub const ALL: [Self; 11] = [
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
    ];

    pub fn kind(self) -> &'static str {
        match self {
            Self::TwoFactorEnabled => "two_factor_enabled",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::DeviceRemembered => "device_remembered",
            Self::Locked => "locked",
            Self::HelpdeskReset => "helpdesk_reset",
            Self::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            Self::DeviceForgotten => "device_forgotten",
            Self::TwoFactorDisabled => "two_factor_disabled",
            Self::PasswordChanged => "password_changed",
            Self::LockLifted => "lock_lifted",
            Self::MethodChanged => "method_changed",
        }
    }

    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.kind() == kind)
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
        }
    }
}
