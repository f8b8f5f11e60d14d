//! "Niet nu" at the introduction: how often a user put off setting up two-step
//! authentication, for the helpdesk's overview.

use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{context::Context, db::entity::user, error::Error};

/// "Niet nu" at the introduction: counted for the helpdesk's overview.
pub async fn defer(ctx: &Context, user_id: i32) -> Result<(), Error> {
    user::Entity::update_many()
        .col_expr(
            user::Column::Deferrals,
            Expr::col(user::Column::Deferrals).add(1),
        )
        .col_expr(user::Column::LastDeferredAt, Expr::value(ctx.now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&ctx.db)
        .await?;
    Ok(())
}
