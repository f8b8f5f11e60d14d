//! Fresh databases for tests: a SQLite file per test, or a PostgreSQL database with a random
//! name that is dropped again when the test ends, also when it fails. Around them, what the
//! service tests start from: a context with a settable clock, an outbox for SMS and mail, the
//! manual's users, their sessions and their enrolments.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::{
    accounts::{
        email::Email,
        password::Password,
        session::{self, SessionStage, SessionToken},
        users,
    },
    client::ClientInfo,
    clock::ManualClock,
    context::Context,
    crypto::SecretKey,
    db::{self, entity::user::Role},
    settings::Settings,
    sms::SmsLimits,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use: `TWEESTAP_TEST_POSTGRES_URL`, by default the local one.
pub fn postgres_admin_url() -> String {
    std::env::var("TWEESTAP_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// True when the PostgreSQL tests are to be skipped: the test script found no server and
/// said so loudly (it refuses to skip under CI).
pub fn postgres_skipped() -> bool {
    std::env::var("TWEESTAP_TEST_POSTGRES").is_ok_and(|v| v == "skip")
}

pub struct TestDb {
    pub db: DatabaseConnection,
    /// Where it is, for a second connection pool: another instance of the server.
    pub url: String,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let suffix = hex::encode(crate::crypto::os_random::<6>());
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("tweestap-test-{suffix}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let db = db::connect(&url)
                    .await
                    .expect("open the test SQLite database");
                db::migrate(&db)
                    .await
                    .expect("migrate the test SQLite database");
                Self {
                    db,
                    url,
                    cleanup: Some(Cleanup::SqliteFile(path)),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("tweestap_test_{suffix}");
                let admin = db::connect(&admin_url)
                    .await
                    .expect("reach the test PostgreSQL server");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the test PostgreSQL database");
                admin.close().await.ok();
                let url = database_url_with_name(&admin_url, &name);
                let db = db::connect(&url)
                    .await
                    .expect("open the test PostgreSQL database");
                db::migrate(&db)
                    .await
                    .expect("migrate the test PostgreSQL database");
                Self {
                    db,
                    url,
                    cleanup: Some(Cleanup::PostgresDatabase { admin_url, name }),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(cleanup) = self.cleanup.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be awaited here: clean up on a thread
        // with a runtime of its own. The pool itself is not touched (its tasks live on the
        // test's runtime); PostgreSQL's FORCE ends its connections.
        let cleaner = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let Ok(runtime) = runtime else { return };
            runtime.block_on(async move {
                match cleanup {
                    Cleanup::SqliteFile(path) => {
                        for ext in ["", "-wal", "-shm"] {
                            let mut file = path.clone().into_os_string();
                            file.push(ext);
                            std::fs::remove_file(file).ok();
                        }
                    }
                    Cleanup::PostgresDatabase { admin_url, name } => {
                        if let Ok(admin) = db::connect(&admin_url).await {
                            admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await
                                .ok();
                            admin.close().await.ok();
                        }
                    }
                }
            });
        });
        cleaner.join().ok();
    }
}

fn database_url_with_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// "Onthoud mij" ticked without a longer choice.
pub fn default_remember_length(ctx: &Context) -> crate::twofactor::remembered::RememberFor {
    crate::twofactor::remembered::RememberFor::default_for(&ctx.settings)
}

/// The manual's rollout: optional from 1 April, mandatory from 1 July (2026).
pub fn manual_rollout() -> crate::twofactor::policy::Rollout {
    crate::twofactor::policy::Rollout {
        optional_from: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).expect("a date"),
        mandatory_from: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("a date"),
    }
}

/// A moment in the mandatory period of `manual_rollout`.
pub fn in_mandatory_period() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 2, 8, 0, 0).unwrap()
}

/// A context on a fresh database with a clock that starts at a fixed moment, 4 May 2026: in
/// the optional period of the manual's rollout.
pub async fn context(backend: Backend) -> (Context, ManualClock, TestDb) {
    context_with(backend, |_| {}).await
}

/// `context`, with settings changed first.
pub async fn context_with(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> (Context, ManualClock, TestDb) {
    let test_db = TestDb::new(backend).await;
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).unwrap());
    let settings = test_settings(configure);
    let ctx = Context::new(test_db.db.clone(), Arc::new(clock.clone()), settings);
    (ctx, clock, test_db)
}

/// The settings tests start from: a fixed key and the manual's rollout.
pub fn test_settings(configure: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = Settings::with_key(SecretKey::from_bytes([7; 32]));
    settings.rollout = manual_rollout();
    configure(&mut settings);
    settings
}

/// `context_with`, with SMS sent to an outbox of the test's own under `limits`; then
/// `configure` changes what else the test needs.
pub async fn context_with_sms(
    backend: Backend,
    limits: SmsLimits,
    configure: impl FnOnce(&mut Settings),
) -> (Context, ManualClock, TestDb, Outbox) {
    let outbox = Outbox::new();
    let provider = outbox.provider();
    let (ctx, clock, db) = context_with(backend, |settings| {
        settings.sms.provider = Some(provider);
        settings.sms.limits = limits;
        configure(settings);
    })
    .await;
    (ctx, clock, db, outbox)
}

/// SMS limits a test only meets when it means to: a cooldown of 30 seconds, and maximums far
/// above what a test sends.
pub fn roomy_sms_limits() -> SmsLimits {
    SmsLimits {
        cooldown: chrono::Duration::seconds(30),
        per_user_hour: 100,
        per_user_day: 100,
        per_number_day: 100,
        per_day: 1000,
    }
}

/// `context_with`, with mail sent to an outbox of the test's own; then `configure` changes
/// what else the test needs.
pub async fn context_with_mail(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> (Context, ManualClock, TestDb, Outbox) {
    let outbox = Outbox::new();
    let provider = outbox.mail_provider();
    let (ctx, clock, db) = context_with(backend, |settings| {
        settings.mail.provider = Some(provider);
        configure(settings);
    })
    .await;
    (ctx, clock, db, outbox)
}

/// An SMS outbox file of a test's own, removed when the test ends.
pub struct Outbox {
    pub path: std::path::PathBuf,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    pub fn new() -> Self {
        let suffix = hex::encode(crate::crypto::os_random::<6>());
        Self {
            path: std::env::temp_dir().join(format!("tweestap-outbox-{suffix}.jsonl")),
        }
    }

    pub fn provider(&self) -> crate::sms::SmsProvider {
        crate::sms::SmsProvider::Outbox(self.path.clone())
    }

    /// Every message so far: (to, body).
    pub fn messages(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .map(|line| {
                let value: serde_json::Value =
                    serde_json::from_str(line).expect("a JSON line in the outbox");
                (
                    value["to"].as_str().expect("to").to_owned(),
                    value["body"].as_str().expect("body").to_owned(),
                )
            })
            .collect()
    }

    /// The same file as the mail outbox.
    pub fn mail_provider(&self) -> crate::mail::MailProvider {
        crate::mail::MailProvider::Outbox(self.path.clone())
    }

    /// Every mail so far: (to, subject, body).
    pub fn mails(&self) -> Vec<(String, String, String)> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .map(|line| {
                let value: serde_json::Value =
                    serde_json::from_str(line).expect("a JSON line in the outbox");
                let field = |name: &str| value[name].as_str().expect(name).to_owned();
                (field("to"), field("subject"), field("body"))
            })
            .collect()
    }

    /// The code in the last message, read from its WebOTP line (`@host #123456`).
    pub fn last_code(&self) -> String {
        let (_, body) = self.messages().pop().expect("a message in the outbox");
        body.rsplit_once('#').expect("a WebOTP line").1.to_owned()
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        std::fs::remove_file(&self.path).ok();
    }
}

pub const JUDITH_EMAIL: &str = "judith@example.nl";
pub const JUDITH_PASSWORD: &str = "Welkom-bij-het-platform-1";

/// Judith van Haare, the professional from the manual's screenshot.
pub async fn add_judith(ctx: &Context) -> users::User {
    add_user(
        ctx,
        JUDITH_EMAIL,
        "Judith van Haare",
        JUDITH_PASSWORD,
        Role::Professional,
    )
    .await
}

pub const BRAM_EMAIL: &str = "bram@example.nl";

/// Bram Bos, a second professional: for what one account must not do to another.
pub async fn add_bram(ctx: &Context) -> users::User {
    add_user(
        ctx,
        BRAM_EMAIL,
        "Bram Bos",
        "Een-goed-wachtwoord-42",
        Role::Professional,
    )
    .await
}

pub async fn add_user(
    ctx: &Context,
    email: &str,
    name: &str,
    password: &str,
    role: Role,
) -> users::User {
    let email = Email::parse(email).expect("a valid test email");
    let password = Password::new_password(password.to_owned()).expect("a valid test password");
    users::create(ctx, &email, name, &password, role)
        .await
        .expect("create the test user")
}

/// A session of `user` at `stage`, as a login starts it: its token and its id.
pub async fn start_session(
    ctx: &Context,
    user: &users::User,
    stage: SessionStage,
) -> (SessionToken, i32) {
    session::start(ctx, user, &ClientInfo::default(), stage)
        .await
        .expect("start a session")
}

/// A login that got past the password: its session id binds the codes sent for it.
pub async fn login_attempt(ctx: &Context, user: &users::User) -> i32 {
    start_session(ctx, user, SessionStage::PasswordOnly).await.1
}

/// A login waiting for its second step, resolved as a request resolves it, with its token.
pub async fn password_only_session(
    ctx: &Context,
    user: &users::User,
) -> (session::ActiveSession, SessionToken) {
    let (token, _) = start_session(ctx, user, SessionStage::PasswordOnly).await;
    let active = session::resolve(ctx, &token)
        .await
        .expect("resolve the session")
        .expect("an open session");
    (active, token)
}

/// A signed-in session, as the wizard and the settings have it: its id.
pub async fn complete_session(ctx: &Context, user: &users::User) -> i32 {
    start_session(ctx, user, SessionStage::Complete).await.1
}

/// Runs `$test(backend)` once on SQLite and once on PostgreSQL, each on its own fresh database.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::testing::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                if $crate::testing::postgres_skipped() {
                    eprintln!("SKIPPED on PostgreSQL: no server (see scripts/test)");
                    return;
                }
                super::$name($crate::testing::Backend::Postgres).await
            }
        })*
    };
}

/// Enrols `user` with the app through the services, as the wizard does, with "Gedaan" at the
/// end; returns the TOTP secret and the recovery codes. The clock moves on one time step, so
/// that the next code is a fresh one.
pub async fn enrol_app(
    ctx: &Context,
    clock: &ManualClock,
    user: &users::User,
) -> (Vec<u8>, Vec<String>) {
    use crate::twofactor::{enrolment, recovery_codes, totp};
    use sea_orm::EntityTrait;
    enrolment::start_app_enrolment(ctx, user)
        .await
        .expect("start enrolment");
    let row = crate::db::entity::two_factor::Entity::find_by_id(user.id)
        .one(&ctx.db)
        .await
        .expect("read the factor")
        .expect("a factor");
    let secret = crate::crypto::open(
        &ctx.settings.secret_key,
        &format!("totp-secret:{}", user.id),
        &row.secret_enc,
    )
    .expect("the secret decrypts");
    let code = totp::code_for_step(&secret, totp::step_at(ctx.now().timestamp()));
    enrolment::confirm_app_enrolment(ctx, user, &code, None)
        .await
        .expect("confirm enrolment");
    let row = crate::db::entity::two_factor::Entity::find_by_id(user.id)
        .one(&ctx.db)
        .await
        .expect("read the factor")
        .expect("a factor");
    let codes = recovery_codes::pending_codes(ctx, &row).expect("pending recovery codes");
    enrolment::finish_enrolment(ctx, user.id)
        .await
        .expect("finish enrolment");
    clock.advance(chrono::Duration::seconds(30));
    (secret, codes)
}

/// Enrols `user` with SMS on `number` through the services, as the wizard does, with "Gedaan"
/// at the end. The clock moves on by the cooldown, so that the next code is sent at once.
pub async fn enrol_sms(
    ctx: &Context,
    clock: &ManualClock,
    outbox: &Outbox,
    user: &users::User,
    number: &str,
) {
    use crate::{
        sms::PhoneNumber,
        twofactor::{enrolment, sms_enrolment},
    };
    let session = complete_session(ctx, user).await;
    let number = PhoneNumber::parse(number).expect("a valid test number");
    sms_enrolment::start_enrolment(ctx, user, session, &number)
        .await
        .expect("start enrolment");
    sms_enrolment::confirm_enrolment(ctx, user, session, &outbox.last_code(), None)
        .await
        .expect("confirm enrolment");
    enrolment::finish_enrolment(ctx, user.id)
        .await
        .expect("finish enrolment");
    clock.advance(ctx.settings.sms.limits.cooldown);
}

#[cfg(test)]
mod tests {
    use super::database_url_with_name;

    #[test]
    fn swaps_the_database_name_and_keeps_the_query() {
        assert_eq!(
            database_url_with_name("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            database_url_with_name("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
    }
}
