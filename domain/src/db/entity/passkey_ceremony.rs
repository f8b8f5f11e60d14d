use sea_orm::entity::prelude::*;

/// A WebAuthn ceremony between its two requests: the library's state, challenge included, kept
/// on the server, bound to the session, used once and only until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passkey_ceremonies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub session_id: i32,
    pub kind: Ceremony,
    pub state: String,
    pub expires_at: DateTimeUtc,
}

/// Which ceremony: adding a passkey, or signing in with one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Ceremony {
    #[sea_orm(string_value = "register")]
    Register,
    #[sea_orm(string_value = "login")]
    Login,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
