//! The security log: what happened to each account's sign-in, for the user and the helpdesk.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SecurityEvents::Table)
                    .if_not_exists()
                    .col(pk_auto(SecurityEvents::Id))
                    .col(integer(SecurityEvents::UserId))
                    .col(string_len(SecurityEvents::Kind, 32))
                    .col(string_len_null(SecurityEvents::Detail, 200))
                    .col(string_len_null(SecurityEvents::IpAddress, 64))
                    .col(string_len_null(SecurityEvents::UserAgent, 512))
                    .col(timestamp_with_time_zone(SecurityEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_security_events_user")
                            .from(SecurityEvents::Table, SecurityEvents::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_security_events_user")
                    .table(SecurityEvents::Table)
                    .col(SecurityEvents::UserId)
                    .col(SecurityEvents::CreatedAt)
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
enum SecurityEvents {
    Table,
    Id,
    UserId,
    Kind,
    Detail,
    IpAddress,
    UserAgent,
    CreatedAt,
}
