use sea_orm::entity::prelude::*;

/// One security email in the queue (`mail_queue`): waiting, being sent, sent, or given up.
/// The body is what the user reads; it never holds a code, a secret or a full phone number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_queue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// The security event it tells about (see `audit::event::Event::kind`).
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTimeUtc,
    /// Sends started, counted when a worker claims the mail.
    pub attempts: i32,
    /// When a worker may take it (again). While one sends it, this is the end of its lease.
    pub next_attempt_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// Set when the last attempt allowed failed too.
    pub failed_at: Option<DateTimeUtc>,
    /// What went wrong the last time, in a few words; never the body.
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
