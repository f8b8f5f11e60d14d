use sea_orm::entity::prelude::*;

/// One entry of an account's security log (SEC-21): what happened, when, and from which
/// address and browser. Never a code, a secret or a full phone number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "security_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// Stored as the event's name in snake case.
    pub kind: crate::audit::event::Event,
    /// For example the method, or the masked phone number.
    pub detail: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
