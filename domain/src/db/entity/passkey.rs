use sea_orm::entity::prelude::*;

/// A passkey or security key a user registered (WebAuthn).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passkeys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// The WebAuthn user handle, a random UUID shared by all of the user's passkeys.
    pub user_handle: String,
    /// The credential's id, base64url; unique over all users.
    #[sea_orm(unique)]
    pub credential_id: String,
    /// The user's name for it ("Telefoon", "YubiKey").
    pub name: String,
    /// webauthn-rs's `Passkey` as JSON: the public key, the sign counter and the flags. Nothing
    /// in it is secret.
    pub credential: String,
    /// The sign counter of the latest answer; an answer must count higher (0: the key does not
    /// count, as synced passkeys do not).
    pub sign_count: i64,
    /// The key may be synced to other devices (a passkey in a password manager) ...
    pub backup_eligible: bool,
    /// ... and is: not bound to one device.
    pub backup_state: bool,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
