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
    /// "login" or "enrol".
    pub purpose: String,
    pub number_masked: String,
    pub number_hash: String,
    /// "outbox" or "twilio".
    pub provider: String,
    /// "pending" while the provider is asked, then "sent" or "failed"; "refused" when a limit
    /// stopped it before the provider was asked.
    pub status: String,
    /// The provider's reference, what went wrong, or which limit refused it.
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
