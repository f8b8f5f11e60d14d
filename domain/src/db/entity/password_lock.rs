use sea_orm::entity::prelude::*;

/// A ceiling reached (SEC-25): an account, or a client address, refused until `locked_until`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_locks")]
pub struct Model {
    /// "account:<keyed hash>" or "address:<IP address>".
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub locked_until: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
