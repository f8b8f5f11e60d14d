use sea_orm::entity::prelude::*;

/// One SMS the platform sent, tried to send or refused to send: for the helpdesk and for cost
/// control. The number is kept masked, with a keyed hash for the per-number limit; the code is
/// never kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_sends")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub session_id: Option<i32>,
    pub purpose: super::sms_code::Purpose,
    pub number_masked: String,
    pub number_hash: String,
    /// "outbox" or "twilio".
    pub provider: String,
    pub status: SendStatus,
    /// The provider's reference, what went wrong, or which limit refused it.
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
}

/// How a send went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SendStatus {
    /// While the provider is asked.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "failed")]
    Failed,
    /// A limit stopped it before the provider was asked.
    #[sea_orm(string_value = "refused")]
    Refused,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
