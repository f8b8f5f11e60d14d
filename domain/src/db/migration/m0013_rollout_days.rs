//! The rollout over time, for the helpdesk's chart: one row per day (Europe/Amsterdam) with how
//! many professionals had two-step authentication on with each method, and how often "Niet nu"
//! was chosen that day. Aggregates only, no user: kept, not pruned by retention. Why a table of
//! days and not the security log: `helpdesk::history`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RolloutDays::Table)
                    .if_not_exists()
                    .col(date(RolloutDays::Day).primary_key())
                    // Null until the day's count has run (a "Niet nu" may come first).
                    .col(big_integer_null(RolloutDays::WithApp))
                    .col(big_integer_null(RolloutDays::WithSms))
                    .col(big_integer_null(RolloutDays::WithPasskey))
                    .col(big_integer(RolloutDays::Deferrals).default(0))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RolloutDays {
    Table,
    Day,
    WithApp,
    WithSms,
    WithPasskey,
    Deferrals,
}
