//! Limits on password guessing (SEC-25): every wrong password, and the locks that the ceilings
//! set. Kept in the database so that every instance of the server counts the same.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PasswordFailures::Table)
                    .if_not_exists()
                    .col(pk_auto(PasswordFailures::Id))
                    // A keyed hash of the email address as typed: unknown addresses are counted
                    // like known ones, without keeping the addresses people mistyped.
                    .col(string_len(PasswordFailures::Account, 64))
                    .col(string_len(PasswordFailures::Address, 64))
                    // False while the password is being checked: an attempt under way counts
                    // toward the limits, but only a wrong password can set a lock.
                    .col(boolean(PasswordFailures::Checked).default(false))
                    .col(timestamp_with_time_zone(PasswordFailures::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_password_failures_account", PasswordFailures::Account),
            ("idx_password_failures_address", PasswordFailures::Address),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(PasswordFailures::Table)
                        .col(column)
                        .col(PasswordFailures::CreatedAt)
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_password_failures_created")
                    .table(PasswordFailures::Table)
                    .col(PasswordFailures::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasswordLocks::Table)
                    .if_not_exists()
                    // "account:<keyed hash>" or "address:<IP address>".
                    .col(string_len(PasswordLocks::Key, 80).primary_key())
                    .col(timestamp_with_time_zone(PasswordLocks::LockedUntil))
                    .col(timestamp_with_time_zone(PasswordLocks::CreatedAt))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PasswordFailures {
    Table,
    Id,
    Account,
    Address,
    Checked,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PasswordLocks {
    Table,
    Key,
    LockedUntil,
    CreatedAt,
}
