use sea_orm::entity::prelude::*;

/// One day of the rollout (Europe/Amsterdam), for the helpdesk's chart: professionals with
/// two-step authentication on, by method, as last counted that day, and the "Niet nu" of the day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollout_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// `None` until the day's count has run.
    pub with_app: Option<i64>,
    pub with_sms: Option<i64>,
    pub with_passkey: Option<i64>,
    pub deferrals: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
