//! Storage: SeaORM entities and the migrations that create their tables, for SQLite and
//! PostgreSQL alike.

pub mod entity;
pub mod migration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

/// Connects. SQLite gets what a server needs on every connection: foreign keys, WAL, a busy
/// wait; and one connection, see [`SQLITE_CONNECTIONS`].
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.max_connections(SQLITE_CONNECTIONS);
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
    } else {
        // A request waits for a row lock at most this long, and a transaction left open by a
        // request that went away is ended: one stuck request never freezes every login.
        options.map_sqlx_postgres_opts(|pg| {
            pg.options([
                ("lock_timeout", POSTGRES_LOCK_TIMEOUT),
                (
                    "idle_in_transaction_session_timeout",
                    POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT,
                ),
            ])
        });
    }
    Database::connect(options).await
}

/// SQLite lets one connection write at a time. With more connections in the pool, writers
/// meet in SQLite's busy handler, which sleeps 1, 2, 5 … up to 100 ms between tries: under
/// load most of a write's time went there. With one connection, the requests of
/// this process take turns in the pool's queue instead, in order and without sleeping; a read
/// takes microseconds. Another process on the same file (a second instance, a command) still
/// meets the busy wait. Durability stays as SQLite's default (`synchronous = FULL`): a commit
/// is on disk before the answer, which a spent code or a lock must be. So code inside a
/// transaction reads and writes through that transaction only: a query on the pool would wait
/// for the connection the transaction holds.
pub const SQLITE_CONNECTIONS: u32 = 1;

/// How long an SQLite statement waits for another process's write lock.
pub const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a PostgreSQL statement waits for a lock before it fails, and how long a
/// transaction may sit idle before the server ends it (as PostgreSQL shows them).
pub const POSTGRES_LOCK_TIMEOUT: &str = "10s";
pub const POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT: &str = "1min";

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}

/// Whether the database answers and has every migration of this build (SEC-28's readiness):
/// a ping and a read of the migrations table, without creating it, so a probe never writes.
/// A database migrated by a newer build is an error too, as it is for `migrate`.
pub async fn is_ready(db: &DatabaseConnection) -> Result<bool, DbErr> {
    db.ping().await?;
    Ok(migration::Migrator::get_pending_migrations_read_only(db)
        .await?
        .is_empty())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use crate::testing::{Backend, TestDb, postgres_skipped};

    // The second step's latency and a spent code's durability rest on these: one SQLite
    // connection (a second one could only wait in SQLite's busy handler), with the server's
    // settings on it, among them a commit that is on disk before the answer.
    #[tokio::test]
    async fn sqlite_has_one_connection_with_the_servers_settings() {
        let test = TestDb::new(Backend::Sqlite).await;
        let pool = test.db.get_sqlite_connection_pool();
        assert_eq!(
            pool.options().get_max_connections(),
            super::SQLITE_CONNECTIONS
        );
        assert_eq!(super::SQLITE_CONNECTIONS, 1);
        let backend = test.db.get_database_backend();
        for (pragma, expected) in [
            ("foreign_keys", "1"),
            ("journal_mode", "wal"),
            ("synchronous", "2"),
            ("busy_timeout", "5000"),
        ] {
            let row = test
                .db
                .query_one_raw(Statement::from_string(
                    backend,
                    format!("SELECT CAST((SELECT * FROM pragma_{pragma}()) AS TEXT)"),
                ))
                .await
                .unwrap()
                .unwrap();
            let value: String = row.try_get_by_index(0).unwrap();
            assert_eq!(value, expected, "{pragma}");
        }
    }

    // The settings that make a request fail after a while, rather than hang for ever, on a lock
    // that is never released.
    #[tokio::test]
    async fn postgres_connections_wait_for_a_lock_only_so_long() {
        if postgres_skipped() {
            eprintln!("SKIPPED on PostgreSQL: no server (see scripts/test)");
            return;
        }
        let test = TestDb::new(Backend::Postgres).await;
        let backend = test.db.get_database_backend();
        for (setting, value) in [
            ("lock_timeout", super::POSTGRES_LOCK_TIMEOUT),
            (
                "idle_in_transaction_session_timeout",
                super::POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT,
            ),
        ] {
            let row = test
                .db
                .query_one_raw(Statement::from_string(backend, format!("SHOW {setting}")))
                .await
                .unwrap()
                .unwrap();
            let shown: String = row.try_get_by_index(0).unwrap();
            assert_eq!(shown, value, "{setting}");
        }
    }
}
