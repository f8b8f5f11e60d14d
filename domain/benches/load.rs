//! The load benchmark's client: it drives a running release server over HTTP, as browsers
//! would, and reports throughput, latency and the server's memory. `scripts/loadtest` builds
//! and starts the server (pinned to its own core when `taskset` exists) and runs this with:
//!
//! - `LOAD_BASE`: the server's address (`http://127.0.0.1:PORT`);
//! - `DATABASE_URL`, `TWEESTAP_SECRET_KEY`: the server's database and key, to create the users;
//! - `LOAD_USERS` (default 1000): users, each enrolled with the authenticator app;
//! - `LOAD_CONCURRENCY` (default 8): requests at a time in the two measured phases;
//! - `LOAD_BURST` (default 100): password logins sent all at once, for the memory figure;
//! - `SERVER_PID`: the server's process, whose resident memory is read from `/proc`;
//! - `ARGON2_PER_SECOND`: the argon2 limit measured by the `password` bench, to compare with;
//! - `LOAD_ORIGIN`: the server's public origin (`http://localhost:PORT`, its
//!   `TWEESTAP_PUBLIC_ORIGIN`), sent as every request's `Origin`. With it each user also gets a
//!   passkey (webauthn-authenticator-rs's soft passkey), and a third phase passes the second
//!   step with it, for a passkey's second step beside the app code's in one run.
//!
//! Phases: every user logs in with the password (password logins per second); then every
//! session passes the second step with the app's code of this moment and loads the page it
//! leads to (second steps per second); then a burst of parallel logins; then the server idles.
//! (A measurement for the report, not a test: the figures depend on the machine.)

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use base64::Engine as _;
use chrono::Utc;
use reqwest::{StatusCode, header};
use sea_orm::{ActiveModelTrait as _, Set};

use webauthn_authenticator_rs::{WebauthnAuthenticator as _, softpasskey::SoftPasskey};
use webauthn_rs::prelude::{RequestChallengeResponse, Url};

use tweestap_domain::{
    Context,
    accounts::{email::Email, password::Password, users},
    clock::ManualClock,
    crypto::SecretKey,
    db::{self, entity::user},
    settings::Settings,
    testing,
    twofactor::{passkey, totp},
};

const PASSWORD: &str = "Een-goed-wachtwoord-42";

struct Config {
    base: String,
    /// The `Origin` of every request; passkeys are measured only when it is a host name.
    origin: Option<String>,
    database_url: String,
    key: SecretKey,
    users: usize,
    concurrency: usize,
    burst: usize,
    server_pid: Option<u32>,
    argon2_per_second: Option<f64>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
        Err(_) => default,
    }
}

impl Config {
    fn from_env() -> Self {
        let key = std::env::var("TWEESTAP_SECRET_KEY").expect("TWEESTAP_SECRET_KEY");
        let key: [u8; 32] = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .expect("TWEESTAP_SECRET_KEY is base64")
            .try_into()
            .expect("TWEESTAP_SECRET_KEY holds 32 bytes");
        Self {
            base: std::env::var("LOAD_BASE").expect("LOAD_BASE, the server's address"),
            origin: std::env::var("LOAD_ORIGIN").ok(),
            database_url: std::env::var("DATABASE_URL").expect("DATABASE_URL"),
            key: SecretKey::from_bytes(key),
            users: env_or("LOAD_USERS", 1000),
            concurrency: env_or("LOAD_CONCURRENCY", 8),
            burst: env_or("LOAD_BURST", 100),
            server_pid: std::env::var("SERVER_PID")
                .ok()
                .and_then(|p| p.trim().parse().ok()),
            argon2_per_second: std::env::var("ARGON2_PER_SECOND")
                .ok()
                .and_then(|p| p.trim().parse().ok()),
        }
    }
}

/// A user of the run: the address, the app's secret, and the session cookie once logged in.
struct LoadUser {
    email: String,
    secret: Vec<u8>,
    cookies: Mutex<HashMap<String, String>>,
    /// The user's passkey, when the run measures passkeys.
    passkey: Mutex<Option<SoftPasskey>>,
}

/// Creates the users directly in the database, through the domain: one hash for all (the same
/// password), and the app enrolled as the wizard does, a few minutes in the past so that the
/// codes used at login are fresh ones.
async fn create_users(config: &Config) -> Vec<Arc<LoadUser>> {
    let conn = db::connect(&config.database_url)
        .await
        .expect("connect to the server's database");
    let clock = ManualClock::new(Utc::now());
    let mut settings = Settings::with_key(config.key.clone());
    settings.public_origin = config.origin.clone();
    let ctx = Context::new(conn, Arc::new(clock.clone()), settings);
    let run = Utc::now().timestamp();
    let password = Password::for_login(PASSWORD.to_owned()).unwrap();
    let hash = ctx.hasher.hash(&password).await.expect("a hash");
    let mut created = Vec::with_capacity(config.users);
    for i in 0..config.users {
        let email = format!("last-{run}-{i}@example.nl");
        let now = Utc::now() - chrono::Duration::minutes(5);
        clock.set(now);
        let row = user::ActiveModel {
            email: Set(Email::parse(&email).unwrap().as_str().to_owned()),
            display_name: Set(format!("Belasting {i}")),
            password_hash: Set(hash.clone()),
            role: Set(user::Role::Professional),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let found: users::User = row.insert(&ctx.db).await.expect("insert a user");
        let (secret, _codes) = testing::enrol_app(&ctx, &clock, &found).await;
        let passkey = match &config.origin {
            Some(origin) => Some(add_passkey(&ctx, &found, origin).await),
            None => None,
        };
        created.push(Arc::new(LoadUser {
            email,
            secret,
            cookies: Mutex::new(HashMap::new()),
            passkey: Mutex::new(passkey),
        }));
    }
    created
}

/// A soft passkey registered for `user`, as the settings page adds one.
async fn add_passkey(ctx: &Context, user: &users::User, origin: &str) -> SoftPasskey {
    let origin = Url::parse(origin).expect("LOAD_ORIGIN is a URL");
    let mut key = SoftPasskey::new(true);
    let session = testing::complete_session(ctx, user).await;
    let options = passkey::start_registration(ctx, user, session)
        .await
        .expect("passkey options: is LOAD_ORIGIN a host name?");
    let answer = key
        .do_registration(origin, options)
        .expect("a soft passkey");
    passkey::finish_registration(ctx, user, session, &answer, "Last", None)
        .await
        .expect("the passkey is added");
    key
}

/// Sends a request with the user's cookies and keeps what the answer sets. The session
/// cookie is `Secure`, which a client keeps only over HTTPS: hence a jar of our own.
async fn send(
    client: &reqwest::Client,
    user: &LoadUser,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    let cookie = {
        let jar = user.cookies.lock().unwrap();
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let request = if cookie.is_empty() {
        request
    } else {
        request.header(header::COOKIE, cookie)
    };
    let response = client.execute(request.build()?).await?;
    let mut jar = user.cookies.lock().unwrap();
    for set in response.headers().get_all(header::SET_COOKIE) {
        let Ok(set) = set.to_str() else { continue };
        let pair = set.split(';').next().unwrap_or_default();
        if let Some((name, value)) = pair.split_once('=') {
            if value.is_empty() || set.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    Ok(response)
}

/// The `Origin` requests are sent with: the public origin, or the address itself.
fn origin_of(base: &str) -> String {
    std::env::var("LOAD_ORIGIN").unwrap_or_else(|_| base.to_owned())
}

fn form_post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    form: String,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}{path}"))
        .header(header::ORIGIN, origin_of(base))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
}

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The password step: the right password; the answer leads to the code page.
async fn password_login(
    client: &reqwest::Client,
    base: &str,
    user: &LoadUser,
) -> Result<(), String> {
    user.cookies.lock().unwrap().clear();
    let form = format!(
        "email={}&password={}",
        encode(&user.email),
        encode(PASSWORD)
    );
    let response = send(
        client,
        user,
        form_post(client, base, "/api/open/login", form),
    )
    .await
    .map_err(|e| e.to_string())?;
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    match response.status() {
        StatusCode::OK | StatusCode::FOUND | StatusCode::SEE_OTHER
            if location.starts_with("/inloggen/code") =>
        {
            Ok(())
        }
        status => Err(format!("login: {status} {location}")),
    }
}

/// The second step with the app's code of this moment, and the page it leads to.
async fn second_step(client: &reqwest::Client, base: &str, user: &LoadUser) -> Result<(), String> {
    let code = totp::code_for_step(&user.secret, totp::step_at(Utc::now().timestamp()));
    let response = send(
        client,
        user,
        form_post(
            client,
            base,
            "/api/tweede-stap/second_step_code",
            format!("code={code}"),
        ),
    )
    .await
    .map_err(|e| e.to_string())?;
    on_to_home(client, base, user, response, "second step").await
}

/// The second step with the user's passkey: the options, the key's answer, the answer sent,
/// and the page it leads to (as `second_step` does with a code).
async fn passkey_step(client: &reqwest::Client, base: &str, user: &LoadUser) -> Result<(), String> {
    let options = send(
        client,
        user,
        form_post(
            client,
            base,
            "/api/tweede-stap/passkey_login_options",
            String::new(),
        ),
    )
    .await
    .map_err(|e| e.to_string())?;
    let options = options.text().await.map_err(|e| e.to_string())?;
    let options: RequestChallengeResponse =
        serde_json::from_str(&options).map_err(|e| format!("passkey options: {e}: {options}"))?;
    let origin = Url::parse(&origin_of(base)).map_err(|e| e.to_string())?;
    let answer = {
        let mut key = user.passkey.lock().unwrap();
        let key = key.as_mut().ok_or("no passkey")?;
        key.do_authentication(origin, options)
            .map_err(|e| format!("the soft passkey: {e:?}"))?
    };
    let body = serde_json::json!({ "answer": answer, "remember": false, "next": null });
    let response = send(
        client,
        user,
        client
            .post(format!("{base}/api/tweede-stap/passkey_login"))
            .header(header::ORIGIN, origin_of(base))
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string()),
    )
    .await
    .map_err(|e| e.to_string())?;
    on_to_home(client, base, user, response, "passkey step").await
}

/// A passed second step's answer (`what`): it leads home, and the home page is the logged-in
/// one.
async fn on_to_home(
    client: &reqwest::Client,
    base: &str,
    user: &LoadUser,
    response: reqwest::Response,
    what: &str,
) -> Result<(), String> {
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if location != "/" {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("{what}: {status} {location} {body}"));
    }
    let page = send(
        client,
        user,
        client
            .get(format!("{base}/"))
            .header(header::ACCEPT, "text/html"),
    )
    .await
    .map_err(|e| e.to_string())?;
    let status = page.status();
    let body = page.text().await.map_err(|e| e.to_string())?;
    if status != StatusCode::OK || !body.contains("Uitloggen") {
        return Err(format!("the page after the {what}: {status}"));
    }
    Ok(())
}

/// What a phase does for each user.
#[derive(Clone, Copy)]
enum Step {
    Password,
    Second,
    Passkey,
}

/// Runs `step` once for every user, `concurrency` at a time; returns each one's time and the
/// whole phase's.
async fn phase(
    users: &[Arc<LoadUser>],
    concurrency: usize,
    client: &reqwest::Client,
    base: &str,
    step: Step,
) -> (Vec<Duration>, Duration, Vec<String>) {
    let next = Arc::new(AtomicUsize::new(0));
    let users: Arc<Vec<Arc<LoadUser>>> = Arc::new(users.to_vec());
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (next, users, client, base) =
            (next.clone(), users.clone(), client.clone(), base.to_owned());
        workers.spawn(async move {
            let mut times = Vec::new();
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(user) = users.get(i) else { break };
                let start = Instant::now();
                let done = match step {
                    Step::Password => password_login(&client, &base, user).await,
                    Step::Second => second_step(&client, &base, user).await,
                    Step::Passkey => passkey_step(&client, &base, user).await,
                };
                match done {
                    Ok(()) => times.push(start.elapsed()),
                    Err(err) => errors.push(err),
                }
            }
            (times, errors)
        });
    }
    let mut times = Vec::new();
    let mut errors = Vec::new();
    while let Some(done) = workers.join_next().await {
        let (t, e) = done.expect("a load worker");
        times.extend(t);
        errors.extend(e);
    }
    (times, started.elapsed(), errors)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(name: &str, mut times: Vec<Duration>, took: Duration, errors: &[String]) -> f64 {
    times.sort();
    let per_second = times.len() as f64 / took.as_secs_f64();
    println!(
        "{name}: {} in {:.2} s = {per_second:.1}/s; p50 {:.1} ms, p99 {:.1} ms; {} failed",
        times.len(),
        took.as_secs_f64(),
        percentile(&times, 50.0).as_secs_f64() * 1e3,
        percentile(&times, 99.0).as_secs_f64() * 1e3,
        errors.len()
    );
    if let Some(first) = errors.first() {
        println!("  first failure: {first}");
    }
    per_second
}

/// The server's resident memory in MB (VmRSS), or its peak since it started (VmHWM).
fn memory_mb(pid: Option<u32>, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn show(mb: Option<f64>) -> String {
    mb.map_or_else(|| "?".to_owned(), |mb| format!("{mb:.1} MB"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = Config::from_env();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(config.concurrency.max(config.burst))
        .build()
        .unwrap();

    let idle = memory_mb(config.server_pid, "VmRSS:");
    println!("server memory at start: {}", show(idle));
    print!("creating {} users with the app... ", config.users);
    let started = Instant::now();
    let users = create_users(&config).await;
    println!("{:.1} s", started.elapsed().as_secs_f64());
    let before = memory_mb(config.server_pid, "VmRSS:");
    println!("server memory before the load: {}", show(before));

    let base = config.base.clone();
    let (times, took, errors) =
        phase(&users, config.concurrency, &client, &base, Step::Password).await;
    let logins = report(
        &format!("password logins at {} at a time", config.concurrency),
        times,
        took,
        &errors,
    );
    if let Some(limit) = config.argon2_per_second {
        println!(
            "  = {:.0} % of the argon2 limit ({limit:.1} verifications/s on one core)",
            100.0 * logins / limit
        );
    }

    let (times, took, errors) =
        phase(&users, config.concurrency, &client, &base, Step::Second).await;
    report(
        &format!(
            "second steps (code + the page that follows) at {} at a time",
            config.concurrency
        ),
        times,
        took,
        &errors,
    );

    // A passkey's second step, on fresh password logins (not measured again).
    if config.origin.is_some() {
        let (_, _, errors) =
            phase(&users, config.concurrency, &client, &base, Step::Password).await;
        assert!(
            errors.is_empty(),
            "password logins before the passkeys: {errors:?}"
        );
        let (times, took, errors) =
            phase(&users, config.concurrency, &client, &base, Step::Passkey).await;
        report(
            &format!(
                "passkey second steps (options, answer + the page that follows) at {} at a time",
                config.concurrency
            ),
            times,
            took,
            &errors,
        );
    }

    // The burst: every login at once, while the memory is sampled.
    let burst: Vec<Arc<LoadUser>> = users.iter().take(config.burst).cloned().collect();
    let sampling = Arc::new(AtomicBool::new(true));
    let peak_kb = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (sampling, peak_kb, pid) = (sampling.clone(), peak_kb.clone(), config.server_pid);
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                if let Some(mb) = memory_mb(pid, "VmRSS:") {
                    peak_kb.fetch_max((mb * 1024.0) as u64, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let (times, took, errors) = phase(&burst, burst.len(), &client, &base, Step::Password).await;
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    report(
        &format!("burst of {} password logins at once", burst.len()),
        times,
        took,
        &errors,
    );
    let peak = (peak_kb.load(Ordering::Relaxed) > 0)
        .then(|| peak_kb.load(Ordering::Relaxed) as f64 / 1024.0);
    println!("server memory at the burst's peak: {}", show(peak));
    tokio::time::sleep(Duration::from_secs(5)).await;
    println!(
        "server memory 5 s after the burst: {} (highest ever: {})",
        show(memory_mb(config.server_pid, "VmRSS:")),
        show(memory_mb(config.server_pid, "VmHWM:"))
    );
}
