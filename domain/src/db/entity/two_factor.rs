use sea_orm::entity::prelude::*;

/// A user's second factor. Until `enabled_at` is set it is an enrolment in progress, and the
/// wizard resumes from it; `pending_codes_enc` holds the new recovery codes until the user has
/// confirmed saving them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "two_factor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    pub method: Method,
    /// The factor's secret, AES-256-GCM encrypted and bound to the user (SEC-08): the TOTP key
    /// for the app, the E.164 mobile number for SMS; for passkeys a mark without a secret.
    pub secret_enc: String,
    pub created_at: DateTimeUtc,
    pub enabled_at: Option<DateTimeUtc>,
    /// The last accepted time step: each step logs in at most once (SEC-07).
    pub last_step: Option<i64>,
    pub pending_codes_enc: Option<String>,
}

/// The kind of second factor, stored as "app", "sms" or "passkey".
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Method {
    /// An authenticator app (TOTP).
    #[sea_orm(string_value = "app")]
    App,
    /// Codes by SMS.
    #[sea_orm(string_value = "sms")]
    Sms,
    /// Passkeys and security keys (WebAuthn), in the `passkeys` table: the factor's row holds
    /// no secret, only a mark of the enrolment (`secret_enc` is "passkey:" and the first key's
    /// credential id).
    #[sea_orm(string_value = "passkey")]
    Passkey,
}

impl Method {
    /// The method a form names by its stored string ("app" or "sms").
    pub fn from_name(name: &str) -> Option<Self> {
        Self::try_from_value(&name.to_owned()).ok()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
