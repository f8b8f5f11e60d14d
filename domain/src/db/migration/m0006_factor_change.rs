//! "Methode wijzigen": the new factor waiting for its code, kept apart from the factor in use,
//! which keeps working for login until the new one is confirmed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FactorChanges::Table)
                    .if_not_exists()
                    .col(integer(FactorChanges::UserId).primary_key())
                    .col(integer(FactorChanges::SessionId))
                    .col(string_len(FactorChanges::Method, 16))
                    .col(string_len(FactorChanges::SecretEnc, 200))
                    .col(timestamp_with_time_zone(FactorChanges::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_factor_changes_user")
                            .from(FactorChanges::Table, FactorChanges::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A change belongs to the session that started it: logging out or a
                    // helpdesk reset (which ends every session) drops it.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_factor_changes_session")
                            .from(FactorChanges::Table, FactorChanges::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
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
enum FactorChanges {
    Table,
    UserId,
    SessionId,
    Method,
    SecretEnc,
    CreatedAt,
}
