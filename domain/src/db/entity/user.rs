use sea_orm::entity::prelude::*;

/// A row of `users`. Never sent to the browser: the app sends its own `CurrentUser`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-cased, so that uniqueness is case-insensitive.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// How often the user chose "Niet nu" at the introduction, and when last.
    pub deferrals: i32,
    pub last_deferred_at: Option<DateTimeUtc>,
    /// Failed second-step attempts since the last success or lock (SEC-14).
    pub failed_attempts: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    /// Chosen in the profile; `None` until then (the browser's language, Dutch for messages).
    pub language: Option<crate::lang::Lang>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "professional")]
    Professional,
    #[sea_orm(string_value = "admin")]
    Admin,
}

/// Sessions point at their user (`session::Relation::User`); nothing here needs the way back.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
