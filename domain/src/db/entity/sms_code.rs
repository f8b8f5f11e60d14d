use sea_orm::entity::prelude::*;

/// A code sent by SMS, stored only as a keyed hash and bound to one session and purpose: the
/// login attempt it was sent for, or the enrolment (SEC-09).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub session_id: i32,
    /// "login", "enrol" or "change".
    pub purpose: String,
    pub code_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
