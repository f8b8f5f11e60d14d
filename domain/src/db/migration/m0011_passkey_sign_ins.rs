//! Passwordless sign-in with a discoverable passkey (`TWEESTAP_PASSKEY_SIGN_IN`): its ceremony
//! comes before any session, so it is bound to a random nonce in a short-lived cookie instead.
//! Only the nonce's hash is stored; the row is taken out by the request that finishes it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PasskeySignIns::Table)
                    .if_not_exists()
                    .col(pk_auto(PasskeySignIns::Id))
                    .col(string_len_uniq(PasskeySignIns::NonceHash, 64))
                    .col(text(PasskeySignIns::State))
                    .col(timestamp_with_time_zone(PasskeySignIns::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_passkey_sign_ins_expires")
                    .table(PasskeySignIns::Table)
                    .col(PasskeySignIns::ExpiresAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PasskeySignIns {
    Table,
    Id,
    NonceHash,
    State,
    ExpiresAt,
}
