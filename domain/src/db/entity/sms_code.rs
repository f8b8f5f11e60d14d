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
    pub purpose: Purpose,
    pub code_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

/// What a code is for, stored as "login", "enrol" or "change"; a code for one purpose never
/// serves another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Purpose {
    #[sea_orm(string_value = "login")]
    Login,
    #[sea_orm(string_value = "enrol")]
    Enrol,
    /// A new number under "Methode wijzigen".
    #[sea_orm(string_value = "change")]
    Change,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
