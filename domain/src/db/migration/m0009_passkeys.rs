//! Passkeys and security keys (WebAuthn): a user's registered credentials, and the state of a
//! ceremony between its two requests, kept on the server and bound to the session.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Passkeys::Table)
                    .if_not_exists()
                    .col(pk_auto(Passkeys::Id))
                    .col(integer(Passkeys::UserId))
                    // The WebAuthn user handle (a random UUID), the same for all of a user's
                    // passkeys: what a discoverable passkey names its user by.
                    .col(string_len(Passkeys::UserHandle, 36))
                    // The credential's id, base64url: a credential belongs to one user only.
                    .col(string_len_uniq(Passkeys::CredentialId, 1400))
                    .col(string_len(Passkeys::Name, 64))
                    // webauthn-rs's `Passkey` as JSON: the public key, the counter, the flags.
                    .col(text(Passkeys::Credential))
                    // The sign counter of the latest answer (0 for keys that do not count,
                    // such as synced passkeys): the next must be higher (SEC-33).
                    .col(big_integer(Passkeys::SignCount))
                    .col(boolean(Passkeys::BackupEligible))
                    .col(boolean(Passkeys::BackupState))
                    .col(timestamp_with_time_zone(Passkeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(Passkeys::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_passkeys_user")
                            .from(Passkeys::Table, Passkeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_passkeys_user")
                    .table(Passkeys::Table)
                    .col(Passkeys::UserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasskeyCeremonies::Table)
                    .if_not_exists()
                    .col(pk_auto(PasskeyCeremonies::Id))
                    .col(integer(PasskeyCeremonies::SessionId))
                    .col(string_len(PasskeyCeremonies::Kind, 16))
                    // The library's ceremony state as JSON, challenge included: used once.
                    .col(text(PasskeyCeremonies::State))
                    .col(timestamp_with_time_zone(PasskeyCeremonies::ExpiresAt))
                    // A ceremony belongs to the session that started it: logging out, or a
                    // helpdesk reset that ends every session, drops it.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_passkey_ceremonies_session")
                            .from(PasskeyCeremonies::Table, PasskeyCeremonies::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_passkey_ceremonies_session_kind")
                    .table(PasskeyCeremonies::Table)
                    .col(PasskeyCeremonies::SessionId)
                    .col(PasskeyCeremonies::Kind)
                    .unique()
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
enum Sessions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    UserHandle,
    CredentialId,
    Name,
    Credential,
    SignCount,
    BackupEligible,
    BackupState,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum PasskeyCeremonies {
    Table,
    Id,
    SessionId,
    Kind,
    State,
    ExpiresAt,
}
