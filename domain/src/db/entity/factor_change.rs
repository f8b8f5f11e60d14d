use sea_orm::entity::prelude::*;

/// A change of method in progress ("Methode wijzigen"): the new factor, not yet confirmed with
/// a code. The factor in `two_factor` stays in use until it is; then this row replaces it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "factor_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    /// The session that started the change; no other session sees it.
    pub session_id: i32,
    pub method: super::two_factor::Method,
    /// Sealed as `two_factor.secret_enc` is (SEC-08): the new TOTP key or the new number.
    pub secret_enc: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
