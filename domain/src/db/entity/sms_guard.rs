use sea_orm::entity::prelude::*;

/// The one row every SMS reservation updates first, so that the limit checks run one at a
/// time and a burst of requests cannot slip past a limit together.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_guard")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub reservations: i64,
    /// The day (YYYY-MM-DD, Amsterdam) the installation's daily maximum was last reported.
    pub alerted_on: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
