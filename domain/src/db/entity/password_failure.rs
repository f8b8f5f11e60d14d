use sea_orm::entity::prelude::*;

/// One wrong password, or an attempt whose password is being checked (SEC-25): for which
/// account (a keyed hash of the address as typed, known or not) and from which client address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_failures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account: String,
    pub address: String,
    /// True once the password was found wrong; false while it is being checked.
    pub checked: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
