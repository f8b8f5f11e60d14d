//! Retention (SEC-26): the hourly removal of old security log entries looks them up by age,
//! so that it reads only the rows it removes rather than the whole log. (`sms_sends` has its
//! index on `created_at` since m0003.) Numbered 0008: 0007 is taken by the password lock.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_security_events_created")
                    .table(SecurityEvents::Table)
                    .col(SecurityEvents::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SecurityEvents {
    Table,
    CreatedAt,
}
