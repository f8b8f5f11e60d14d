//! What an SMS code costs the server, on a SQLite file, next to an app code for comparison:
//! sending (the limit checks behind the guard row, the code's row, the outbox line and the send
//! log) and checking (the attempt count and one atomic update). Run with
//! `cargo bench -p tweestap-domain --features testing --bench sms`. (A plain timing loop: the figures are for
//! the report, not a test.)

use std::time::{Duration, Instant};

use tweestap_domain::{
    accounts::session::{self, SessionStage},
    client::ClientInfo,
    sms::{self, PhoneNumber, Purpose, SmsLimits},
    testing::{self, Backend, Outbox},
    twofactor::{app_code, enrolment, sms_enrolment, totp},
};

const ROUNDS: u32 = 300;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let outbox = Outbox::new();
        let provider = outbox.provider();
        let (ctx, clock, _db) = testing::context_with(Backend::Sqlite, |settings| {
            settings.sms.provider = Some(provider);
            settings.sms.limits = SmsLimits {
                cooldown: chrono::Duration::seconds(1),
                per_user_hour: u64::MAX,
                per_user_day: u64::MAX,
                per_number_day: u64::MAX,
                per_day: u64::MAX,
            };
        })
        .await;
        let judith = testing::add_judith(&ctx).await;
        let number = PhoneNumber::parse("06 12345678").unwrap();
        let (_, enrolment) = session::start(
            &ctx,
            &judith,
            &ClientInfo::default(),
            SessionStage::Complete,
        )
        .await
        .unwrap();
        sms_enrolment::start_enrolment(&ctx, &judith, enrolment, &number)
            .await
            .unwrap();
        sms_enrolment::confirm_enrolment(&ctx, &judith, enrolment, &outbox.last_code(), None)
            .await
            .unwrap();

        let (mut sending, mut checking) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..ROUNDS {
            clock.advance(chrono::Duration::seconds(2));
            let (_, attempt) = session::start(
                &ctx,
                &judith,
                &ClientInfo::default(),
                SessionStage::PasswordOnly,
            )
            .await
            .unwrap();
            let start = Instant::now();
            sms::send_login_code(&ctx, judith.id, attempt)
                .await
                .unwrap();
            sending += start.elapsed();
            let code = outbox.last_code();
            let start = Instant::now();
            sms::verify_code(&ctx, &judith, attempt, Purpose::Login, &code, None)
                .await
                .unwrap();
            checking += start.elapsed();
        }

        // The app's code on the same database, for comparison.
        let bram = testing::add_user(
            &ctx,
            "bram@example.nl",
            "Bram",
            "Een-ander-wachtwoord-1",
            tweestap_domain::db::entity::user::Role::Professional,
        )
        .await;
        let row = enrolment::start_app_enrolment(&ctx, &bram).await.unwrap();
        let secret = tweestap_domain::crypto::open(
            &ctx.settings.secret_key,
            &format!("totp-secret:{}", row.user_id),
            &row.secret_enc,
        )
        .unwrap();
        let code_now = || totp::code_for_step(&secret, totp::step_at(ctx.now().timestamp()));
        enrolment::confirm_app_enrolment(&ctx, &bram, &code_now(), None)
            .await
            .unwrap();
        let mut app_checking = Duration::ZERO;
        for _ in 0..ROUNDS {
            clock.advance(chrono::Duration::seconds(30));
            let code = code_now();
            let start = Instant::now();
            app_code::verify_app_code(&ctx, &bram, &code, None)
                .await
                .unwrap();
            app_checking += start.elapsed();
        }

        let sending = sending / ROUNDS;
        let checking = checking / ROUNDS;
        let app_checking = app_checking / ROUNDS;
        println!("SQLite, {ROUNDS} rounds each:");
        println!("  send an SMS code (limits, code, outbox, log): {sending:?}");
        println!("  check an SMS code:                            {checking:?}");
        println!("  check an app code:                            {app_checking:?}");
        println!(
            "  SMS check / app check: {:.2}",
            checking.as_secs_f64() / app_checking.as_secs_f64()
        );
    });
}
