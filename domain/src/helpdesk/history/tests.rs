//! The rollout's history for the helpdesk's chart, on SQLite and on PostgreSQL: a history
//! seeded day by day with the test clock, through the services where there is one.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::{MAX_DAYS, MethodCounts, RolloutDay, history, record_today};
use crate::{
    db::entity::user::Role,
    on_both_backends,
    testing::{self, Backend},
    twofactor::{self, Method},
};

on_both_backends!(
    the_history_counts_each_day_by_method_with_the_days_deferrals,
    the_history_starts_at_the_optional_date_and_is_bounded,
);

/// `hour` o'clock UTC on `day` April 2026 (Amsterdam is two hours ahead).
fn april(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, day, hour, 0, 0).unwrap()
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn counted(app: u64, sms: u64, passkey: u64) -> Option<MethodCounts> {
    Some(MethodCounts { app, sms, passkey })
}

async fn the_history_counts_each_day_by_method_with_the_days_deferrals(backend: Backend) {
    let (ctx, clock, _db, outbox) =
        testing::context_with_sms(backend, testing::roomy_sms_limits(), |_| {}).await;
    let professional = |email: &'static str, name: &'static str| {
        let ctx = ctx.clone();
        async move {
            testing::add_user(
                &ctx,
                email,
                name,
                "Een-goed-wachtwoord-42",
                Role::Professional,
            )
            .await
        }
    };
    // 31 March, before the optional date (1 April): Judith switches on the app; the day is
    // counted but not shown.
    clock.set(april(1, 0) - Duration::hours(14));
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_app(&ctx, &clock, &judith).await;
    record_today(&ctx).await.unwrap();

    // 1 April: an admin switches on and says "Niet nu": neither is counted.
    clock.set(april(1, 8));
    let admin = testing::add_user(
        &ctx,
        "beheer@example.nl",
        "Bram Beheer",
        "Beheer-van-het-platform-1",
        Role::Admin,
    )
    .await;
    testing::enrol_app(&ctx, &clock, &admin).await;
    twofactor::deferral::defer(&ctx, admin.id).await.unwrap();
    record_today(&ctx).await.unwrap();

    // 2 April: Bram switches on SMS, Carla says "Niet nu" twice; counted in the morning. In the
    // afternoon Femke switches on passkeys alone, and the later count replaces the earlier.
    clock.set(april(2, 7));
    let bram = testing::add_bram(&ctx).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &bram, "0612345678").await;
    let carla = professional("carla@example.nl", "Carla Cornelissen").await;
    twofactor::deferral::defer(&ctx, carla.id).await.unwrap();
    twofactor::deferral::defer(&ctx, carla.id).await.unwrap();
    record_today(&ctx).await.unwrap();
    clock.set(april(2, 14));
    let femke = professional("femke@example.nl", "Femke Fokker").await;
    crate::helpdesk::tests::switched_on(&ctx, femke.id, Method::Passkey).await;
    record_today(&ctx).await.unwrap();

    // 22:30 UTC is 00:30 on 3 April in Amsterdam: Dirk's "Niet nu" counts on the 3rd. No server
    // counts that day.
    clock.set(april(2, 22) + Duration::minutes(30));
    let dirk = professional("dirk@example.nl", "Dirk Dekker").await;
    twofactor::deferral::defer(&ctx, dirk.id).await.unwrap();

    // 4 April: Bram switches SMS off again.
    clock.set(april(4, 8));
    twofactor::disable::disable_two_factor(&ctx, bram.id, None)
        .await
        .unwrap();
    record_today(&ctx).await.unwrap();

    // Today, 5 April: Eva switches on the app and Carla says "Niet nu" again; nobody counted
    // today yet, yet today's numbers are those of now.
    clock.set(april(5, 9));
    let eva = professional("eva@example.nl", "Eva Evers").await;
    testing::enrol_app(&ctx, &clock, &eva).await;
    twofactor::deferral::defer(&ctx, carla.id).await.unwrap();

    assert_eq!(
        history(&ctx).await.unwrap(),
        vec![
            RolloutDay {
                day: date(4, 1),
                enabled: counted(1, 0, 0),
                deferrals: 0,
            },
            RolloutDay {
                day: date(4, 2),
                enabled: counted(1, 1, 1),
                deferrals: 2,
            },
            RolloutDay {
                day: date(4, 3),
                enabled: None,
                deferrals: 1,
            },
            RolloutDay {
                day: date(4, 4),
                enabled: counted(1, 0, 1),
                deferrals: 0,
            },
            RolloutDay {
                day: date(4, 5),
                enabled: counted(2, 0, 1),
                deferrals: 1,
            },
        ]
    );
    // The overview's total agrees with the days': the admin's is in neither.
    let counts = crate::helpdesk::rollout_counts(&ctx).await.unwrap();
    assert_eq!(counts.deferrals, 4);
}

async fn the_history_starts_at_the_optional_date_and_is_bounded(backend: Backend) {
    // Before the optional date there is nothing to show.
    let (ctx, _clock, _db) = testing::context_with(backend, |settings| {
        settings.rollout.optional_from = date(6, 1);
        settings.rollout.mandatory_from = date(9, 1);
    })
    .await;
    assert_eq!(history(&ctx).await.unwrap(), Vec::new());

    // Optional for years: the last `MAX_DAYS` days, ending today (4 May 2026) with today's
    // numbers; days nobody counted are gaps.
    let (ctx, clock, _db) = testing::context_with(backend, |settings| {
        settings.rollout.optional_from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    })
    .await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_app(&ctx, &clock, &judith).await;
    let days = history(&ctx).await.unwrap();
    assert_eq!(days.len(), usize::try_from(MAX_DAYS).unwrap());
    assert_eq!(days[0].day, date(5, 4) - Duration::days(MAX_DAYS - 1));
    assert_eq!(days[0].enabled, None);
    assert_eq!(days.last().unwrap().day, date(5, 4));
    assert_eq!(days.last().unwrap().enabled, counted(1, 0, 0));
}
