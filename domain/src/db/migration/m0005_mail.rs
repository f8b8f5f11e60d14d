//! The mail queue: security emails wait here until a worker has handed them to the mail
//! server, so that a slow or failing server never holds up the user, and failed sends are
//! tried again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailQueue::Table)
                    .if_not_exists()
                    .col(pk_auto(MailQueue::Id))
                    .col(integer(MailQueue::UserId))
                    .col(string_len(MailQueue::Kind, 32))
                    .col(string_len(MailQueue::ToAddress, 320))
                    .col(string_len(MailQueue::Subject, 200))
                    .col(text(MailQueue::Body))
                    .col(timestamp_with_time_zone(MailQueue::CreatedAt))
                    .col(integer(MailQueue::Attempts).default(0))
                    .col(timestamp_with_time_zone(MailQueue::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(MailQueue::SentAt))
                    .col(timestamp_with_time_zone_null(MailQueue::FailedAt))
                    .col(string_len_null(MailQueue::LastError, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mail_queue_user")
                            .from(MailQueue::Table, MailQueue::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker looks for mails that are due.
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_queue_due")
                    .table(MailQueue::Table)
                    .col(MailQueue::NextAttemptAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_queue_user")
                    .table(MailQueue::Table)
                    .col(MailQueue::UserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MailQueue {
    Table,
    Id,
    UserId,
    Kind,
    ToAddress,
    Subject,
    Body,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    SentAt,
    FailedAt,
    LastError,
}
