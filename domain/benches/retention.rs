//! What the retention job (SEC-26) costs when a large backlog is due: 100,000 security log
//! entries past the retention period next to fresh ones, removed by one `run_once`, 500 rows
//! per statement. On a SQLite file, and on PostgreSQL when `TWEESTAP_TEST_POSTGRES=run`. Run
//! with `cargo bench -p tweestap-domain --bench retention --features testing`. (A plain timing
//! run: the figures are for the report, not a test.)

use std::time::Instant;

use chrono::Duration;
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait, TransactionTrait};
use tweestap_domain::{
    audit::event::Event,
    db::entity::security_event,
    retention,
    testing::{self, Backend},
};

const OLD: usize = 100_000;
const FRESH: usize = 5_000;
/// Rows per INSERT: 7 values each stays below SQLite's and PostgreSQL's parameter limits.
const ROWS_PER_INSERT: usize = 1_000;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        bench(Backend::Sqlite).await;
        if std::env::var("TWEESTAP_TEST_POSTGRES").is_ok_and(|v| v == "run") {
            bench(Backend::Postgres).await;
        } else {
            println!("PostgreSQL: not run (set TWEESTAP_TEST_POSTGRES=run)");
        }
    });
}

async fn bench(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let now = ctx.now();
    // Spread over the year before the retention period, as a real backlog would be.
    let entry = |i: usize, created_at| security_event::ActiveModel {
        user_id: Set(judith.id),
        kind: Set(Event::ALL[i % Event::ALL.len()]),
        detail: Set(Some("Authenticator-app".to_owned())),
        ip_address: Set(Some("192.0.2.10".to_owned())),
        user_agent: Set(Some(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/140.0".to_owned(),
        )),
        created_at: Set(created_at),
        ..Default::default()
    };
    let old = (0..OLD).map(|i| {
        let minutes = i64::try_from(i).unwrap_or_default() * 5;
        entry(i, now - Duration::days(730) + Duration::minutes(minutes))
    });
    let fresh = (0..FRESH).map(|i| {
        let minutes = i64::try_from(i).unwrap_or_default() * 60;
        entry(i, now - Duration::minutes(minutes))
    });
    let rows: Vec<_> = old.chain(fresh).collect();
    let start = Instant::now();
    let txn = ctx.db.begin().await.unwrap();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        security_event::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    let inserting = start.elapsed();

    let start = Instant::now();
    let report = retention::run_once(&ctx).await.unwrap();
    let removing = start.elapsed();
    assert_eq!(report.security_events, OLD as u64);
    let left = security_event::Entity::find().count(&ctx.db).await.unwrap();
    assert_eq!(left, FRESH as u64);

    let start = Instant::now();
    let again = retention::run_once(&ctx).await.unwrap();
    let idle_run = start.elapsed();
    assert_eq!(again.total(), 0);

    let name = match backend {
        Backend::Sqlite => "SQLite (file)",
        Backend::Postgres => "PostgreSQL",
    };
    println!("{name}: {OLD} old security log entries, {FRESH} fresh ones");
    println!("  insert all (one transaction, {ROWS_PER_INSERT} rows per INSERT): {inserting:?}");
    println!(
        "  run_once, removing {OLD} in batches of {}: {removing:?} ({:.0} rows/s, {} statements)",
        retention::BATCH,
        OLD as f64 / removing.as_secs_f64(),
        OLD as u64 / retention::BATCH + 1
    );
    println!("  run_once with nothing due: {idle_run:?}");
}
