//! Storage: SeaORM entities and the migrations that create their tables, for SQLite and
//! PostgreSQL alike.

pub mod entity;
pub mod migration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

/// Connects and, for SQLite, switches on what a server needs: foreign keys, WAL, a busy wait.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's nature; a small pool avoids lock contention.
        options.max_connections(4);
    }
    let db = Database::connect(options).await?;
    if url.starts_with("sqlite:") {
        use sea_orm::ConnectionTrait;
        for pragma in [
            "PRAGMA foreign_keys = ON",
            "PRAGMA journal_mode = WAL",
            "PRAGMA busy_timeout = 5000",
        ] {
            db.execute_unprepared(pragma).await?;
        }
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}
