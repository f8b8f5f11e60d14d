use sea_orm::entity::prelude::*;

/// A row of `sessions`: one browser's login. The token itself is never stored, only its hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub user_id: i32,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub stage: SessionStage,
    /// When the password was last entered in this session (the wizard's first step).
    pub password_confirmed_at: Option<DateTimeUtc>,
    /// How the login was established (SEC-34); `None` while the second step is still to come.
    pub established_by: Option<Assurance>,
}

/// The factors a login gave (SEC-34), stored as a short name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Assurance {
    /// The password alone: the account has no second step (yet).
    #[sea_orm(string_value = "password")]
    Password,
    /// The password and a code from the app.
    #[sea_orm(string_value = "app")]
    App,
    /// The password and a code by SMS.
    #[sea_orm(string_value = "sms")]
    Sms,
    /// The password and a recovery code.
    #[sea_orm(string_value = "recovery")]
    RecoveryCode,
    /// The password and a passkey with user verification.
    #[sea_orm(string_value = "passkey")]
    Passkey,
    /// A passkey alone, with user verification (`TWEESTAP_PASSKEY_SIGN_IN`): something the user
    /// has, unlocked by something they know or are.
    #[sea_orm(string_value = "passkey_alone")]
    PasskeyAlone,
    /// The password, on a browser "Onthoud mij" spares the second step on.
    #[sea_orm(string_value = "remembered")]
    Remembered,
}

impl Assurance {
    pub const ALL: [Self; 7] = [
        Self::Password,
        Self::App,
        Self::Sms,
        Self::RecoveryCode,
        Self::Passkey,
        Self::PasskeyAlone,
        Self::Remembered,
    ];

    /// As the metrics label it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::App => "app",
            Self::Sms => "sms",
            Self::RecoveryCode => "recovery",
            Self::Passkey => "passkey",
            Self::PasskeyAlone => "passkey_alone",
            Self::Remembered => "remembered",
        }
    }

    /// In Dutch, for the security log and the helpdesk.
    pub fn text(self) -> &'static str {
        match self {
            Self::Password => "Wachtwoord (zonder tweede stap)",
            Self::App => "Wachtwoord en code van de authenticatie-applicatie",
            Self::Sms => "Wachtwoord en code per SMS",
            Self::RecoveryCode => "Wachtwoord en herstelcode",
            Self::Passkey => "Wachtwoord en passkey",
            Self::PasskeyAlone => {
                "Passkey zonder wachtwoord (met vingerafdruk, gezicht of pincode)"
            }
            Self::Remembered => "Wachtwoord op een onthouden apparaat ('Onthoud mij')",
        }
    }
}

impl Assurance {
    /// In the user's language: Dutch as `text`, or English.
    pub fn text_in(self, lang: crate::lang::Lang) -> &'static str {
        match lang {
            crate::lang::Lang::Nl => self.text(),
            crate::lang::Lang::En => self.english(),
        }
    }

    fn english(self) -> &'static str {
        match self {
            Self::Password => "Password (no second step)",
            Self::App => "Password and a code from the authenticator app",
            Self::Sms => "Password and a code by SMS",
            Self::RecoveryCode => "Password and a recovery code",
            Self::Passkey => "Password and a passkey",
            Self::PasskeyAlone => "Passkey without a password (with fingerprint, face or PIN)",
            Self::Remembered => "Password on a remembered device ('Remember me')",
        }
    }
}

/// How far a login got, stored as "password" until the second step is done, then "complete".
/// A session that only passed the password reaches nothing but the second step (SEC-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SessionStage {
    #[sea_orm(string_value = "password")]
    PasswordOnly,
    #[sea_orm(string_value = "complete")]
    Complete,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::Assurance;
    use crate::lang::Lang;

    #[test]
    fn every_assurance_has_an_english_text_of_its_own() {
        let mut english = std::collections::HashSet::new();
        for how in Assurance::ALL {
            let text = how.text_in(Lang::En);
            assert!(!text.is_empty(), "{how:?}");
            assert_ne!(text, how.text(), "{how:?} has no English text");
            assert!(english.insert(text), "{how:?} shares its English text");
            assert_eq!(how.text_in(Lang::Nl), how.text(), "{how:?}");
        }
        assert_eq!(english.len(), 7);
    }
}
