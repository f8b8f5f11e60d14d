//! Two-step authentication: the factor and its replay guard, recovery codes, remembered
//! browsers, the stage a session has reached, and per-account attempt counting.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Users: deferrals with "Niet nu", failed second-step attempts and the lock they cause.
        for column in [
            integer(Users::Deferrals).default(0).to_owned(),
            timestamp_with_time_zone_null(Users::LastDeferredAt),
            integer(Users::FailedAttempts).default(0).to_owned(),
            timestamp_with_time_zone_null(Users::LockedUntil),
            timestamp_with_time_zone_null(Users::LastLoginAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Sessions: how far the login got, and when the password was last entered.
        for column in [
            string_len(Sessions::Stage, 16)
                .default("complete")
                .to_owned(),
            timestamp_with_time_zone_null(Sessions::PasswordConfirmedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(TwoFactor::Table)
                    .if_not_exists()
                    .col(integer(TwoFactor::UserId).primary_key())
                    .col(string_len(TwoFactor::Method, 16))
                    .col(string_len(TwoFactor::SecretEnc, 200))
                    .col(timestamp_with_time_zone(TwoFactor::CreatedAt))
                    .col(timestamp_with_time_zone_null(TwoFactor::EnabledAt))
                    .col(big_integer_null(TwoFactor::LastStep))
                    .col(text_null(TwoFactor::PendingCodesEnc))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_two_factor_user")
                            .from(TwoFactor::Table, TwoFactor::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .if_not_exists()
                    .col(pk_auto(RecoveryCodes::Id))
                    .col(integer(RecoveryCodes::UserId))
                    .col(string_len(RecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recovery_codes_user")
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recovery_codes_user_hash")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .col(RecoveryCodes::CodeHash)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RememberedDevices::Table)
                    .if_not_exists()
                    .col(pk_auto(RememberedDevices::Id))
                    .col(integer(RememberedDevices::UserId))
                    .col(string_len_uniq(RememberedDevices::TokenHash, 64))
                    .col(timestamp_with_time_zone(RememberedDevices::CreatedAt))
                    .col(timestamp_with_time_zone(RememberedDevices::LastUsedAt))
                    .col(timestamp_with_time_zone(RememberedDevices::ExpiresAt))
                    .col(string_len_null(RememberedDevices::UserAgent, 512))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_remembered_devices_user")
                            .from(RememberedDevices::Table, RememberedDevices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_remembered_devices_user")
                    .table(RememberedDevices::Table)
                    .col(RememberedDevices::UserId)
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
    Deferrals,
    LastDeferredAt,
    FailedAttempts,
    LockedUntil,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Stage,
    PasswordConfirmedAt,
}

#[derive(DeriveIden)]
enum TwoFactor {
    Table,
    UserId,
    Method,
    SecretEnc,
    CreatedAt,
    EnabledAt,
    LastStep,
    PendingCodesEnc,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum RememberedDevices {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    UserAgent,
}
