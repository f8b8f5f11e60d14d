//! SMS codes: the codes waiting to be entered, the log of every send (for the helpdesk and for
//! cost control), and one guard row that puts the limit checks one after the other.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SmsCodes::Table)
                    .if_not_exists()
                    .col(pk_auto(SmsCodes::Id))
                    .col(integer(SmsCodes::UserId))
                    .col(integer(SmsCodes::SessionId))
                    .col(string_len(SmsCodes::Purpose, 16))
                    .col(string_len(SmsCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone(SmsCodes::CreatedAt))
                    .col(timestamp_with_time_zone(SmsCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(SmsCodes::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sms_codes_user")
                            .from(SmsCodes::Table, SmsCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sms_codes_session")
                            .from(SmsCodes::Table, SmsCodes::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sms_codes_session")
                    .table(SmsCodes::Table)
                    .col(SmsCodes::SessionId)
                    .col(SmsCodes::Purpose)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmsSends::Table)
                    .if_not_exists()
                    .col(pk_auto(SmsSends::Id))
                    .col(integer(SmsSends::UserId))
                    .col(integer_null(SmsSends::SessionId))
                    .col(string_len(SmsSends::Purpose, 16))
                    .col(string_len(SmsSends::NumberMasked, 32))
                    .col(string_len(SmsSends::NumberHash, 64))
                    .col(string_len(SmsSends::Provider, 16))
                    .col(string_len(SmsSends::Status, 16))
                    .col(string_len_null(SmsSends::Detail, 200))
                    .col(timestamp_with_time_zone(SmsSends::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sms_sends_user")
                            .from(SmsSends::Table, SmsSends::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_sms_sends_user", SmsSends::UserId),
            ("idx_sms_sends_number", SmsSends::NumberHash),
            ("idx_sms_sends_created", SmsSends::CreatedAt),
        ] {
            let mut index = Index::create();
            index.name(name).table(SmsSends::Table).col(column);
            if !matches!(column, SmsSends::CreatedAt) {
                index.col(SmsSends::CreatedAt);
            }
            manager
                .create_index(index.if_not_exists().to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SmsGuard::Table)
                    .if_not_exists()
                    .col(integer(SmsGuard::Id).primary_key())
                    .col(big_integer(SmsGuard::Reservations).default(0))
                    .col(string_len_null(SmsGuard::AlertedOn, 10))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(SmsGuard::Table)
                    .columns([SmsGuard::Id, SmsGuard::Reservations])
                    .values_panic([1.into(), 0.into()])
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
enum Sessions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SmsCodes {
    Table,
    Id,
    UserId,
    SessionId,
    Purpose,
    CodeHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SmsSends {
    Table,
    Id,
    UserId,
    SessionId,
    Purpose,
    NumberMasked,
    NumberHash,
    Provider,
    Status,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SmsGuard {
    Table,
    Id,
    Reservations,
    AlertedOn,
}
