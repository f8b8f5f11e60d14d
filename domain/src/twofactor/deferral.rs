//! "Niet nu" at the introduction: how often a user put off setting up two-step
//! authentication, for the helpdesk's overview and its chart.

use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::{
    context::Context,
    db::entity::{rollout_day, user, user::Role},
    error::Error,
};

/// "Niet nu" at the introduction: counted on the user for the helpdesk's overview and, for a
/// professional, on today's row of the rollout (Europe/Amsterdam) for its chart, together.
pub async fn defer(ctx: &Context, user_id: i32) -> Result<(), Error> {
    let txn = ctx.db.begin().await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::Deferrals,
            Expr::col(user::Column::Deferrals).add(1),
        )
        .col_expr(user::Column::LastDeferredAt, Expr::value(ctx.now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    // The chart counts professionals, as the overview does.
    let professional = user::Entity::find_by_id(user_id)
        .filter(user::Column::Role.eq(Role::Professional))
        .count(&txn)
        .await?
        > 0;
    if professional {
        let today = super::policy::local_date(ctx.now());
        rollout_day::Entity::insert(rollout_day::ActiveModel {
            day: sea_orm::Set(today),
            with_app: sea_orm::Set(None),
            with_sms: sea_orm::Set(None),
            with_passkey: sea_orm::Set(None),
            deferrals: sea_orm::Set(1),
        })
        .on_conflict(
            OnConflict::column(rollout_day::Column::Day)
                .value(
                    rollout_day::Column::Deferrals,
                    Expr::col((rollout_day::Entity, rollout_day::Column::Deferrals)).add(1),
                )
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
