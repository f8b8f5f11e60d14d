//! SIGKILL in the middle of enrolment: the real server binary on a SQLite file, driven over HTTP
//! as a browser without JavaScript drives it (form posts to the server functions, a cookie
//! jar), killed at a point of the wizard and started again on the same file. After neither
//! point is a user half-enabled or locked out, and each can finish to a working second step.

use std::{
    collections::BTreeMap,
    net::{SocketAddr, TcpListener, TcpStream},
    os::unix::process::ExitStatusExt as _,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use tweestap_domain::twofactor::totp;

const JUDITH_EMAIL: &str = "judith@example.nl";
const JUDITH_PASSWORD: &str = "Welkom-bij-het-platform-1";
const WIZARD: &str = "/twee-staps/instellen";

/// A directory of the test's own, for the database file and the server's log; removed at the
/// end.
struct DataDir(PathBuf);

impl DataDir {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("tweestap-crash-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).expect("create the test's directory");
        Self(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// The server binary, serving the database in `dir` on a free port.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Starts the server and waits until it answers on its port (it listens only after the
    /// migrations and the demo accounts).
    async fn start(dir: &DataDir, run: u32) -> Self {
        let addr = free_port();
        let log = dir.0.join(format!("server-{run}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            // Only what is set here: the developer's or CI's own variables must not leak in.
            .env_clear()
            .env(
                "DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.0.join("tweestap.db").display()),
            )
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_OUTPUT_NAME", "tweestap")
            // No site files: the pages and form posts need none (no script is run here).
            .env("LEPTOS_SITE_ROOT", dir.0.join("site"))
            .env(
                "TWEESTAP_SECRET_KEY",
                "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
            )
            .env("TWEESTAP_DEMO", "true")
            // The optional period: two-step authentication is offered, not yet required.
            .env("TWEESTAP_2FA_OPTIONAL_FROM", "2020-01-01")
            .env("TWEESTAP_2FA_MANDATORY_FROM", "2099-12-31")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("create the server's log"))
            .spawn()
            .expect("start the server binary");
        let mut server = Self { child, addr, log };
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited ({status}):\n{}", server.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not answer within a minute:\n{}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server
    }

    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no shutdown, no last write; whatever was committed is all there is.
    fn kill(mut self) {
        self.child.kill().expect("kill the server");
        let status = self.child.wait().expect("reap the server");
        assert_eq!(status.signal(), Some(9), "ended by SIGKILL, not {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the server's log:\n{}", self.log());
        }
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The two tests take turns: each starts, kills and starts servers on free ports, and a port
/// one test has just found free (and let go) may be the port the other's server takes next, so
/// that a request meant for one server reaches the other as it is killed ("connection reset").
/// Both together take well under a second.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    // A test that failed while holding the turn still hands it on.
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A port nobody listens on now.
fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
}

/// A browser with JavaScript off: it follows no script, posts forms and keeps cookies. The jar
/// is a map, because reqwest's own store would (rightly, for any other host) not send the
/// `Secure` session cookie over http://127.0.0.1, which browsers do.
struct Browser {
    http: reqwest::Client,
    origin: String,
    cookies: BTreeMap<String, String>,
}

struct Answer {
    status: reqwest::StatusCode,
    location: String,
    body: String,
}

impl Browser {
    fn new(server: &Server) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // A watchdog, not a measurement.
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            origin: server.origin(),
            cookies: BTreeMap::new(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let cookies = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = request.header(reqwest::header::ACCEPT, "text/html,*/*;q=0.8");
        let request = if cookies.is_empty() {
            request
        } else {
            request.header(reqwest::header::COOKIE, cookies)
        };
        let response = request.send().await.expect("the server answers");
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let set = set.to_str().expect("a readable Set-Cookie");
            let cookie = cookie::Cookie::parse(set).expect("a valid Set-Cookie");
            if cookie.value().is_empty() || cookie.max_age() == Some(cookie::time::Duration::ZERO) {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies
                    .insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await.expect("a body").replace("<!>", "");
        Answer {
            status,
            location,
            body,
        }
    }

    /// A page, as the address bar opens it.
    async fn page(&mut self, path: &str) -> String {
        let url = format!("{}{path}", self.origin);
        let answer = self.send(self.http.get(url)).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.body
    }

    /// A form on `page` submitted to the server function at `/api/{function}` (its class and name); returns where the answer
    /// sends the browser.
    async fn submit(&mut self, page: &str, function: &str, fields: &[(&str, &str)]) -> String {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self
            .http
            .post(format!("{}/api/{function}", self.origin))
            .header(reqwest::header::ORIGIN, &self.origin)
            .header(reqwest::header::REFERER, format!("{}{page}", self.origin))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        let answer = self.send(request).await;
        assert!(
            answer.status.is_redirection(),
            "{function}: {} {}",
            answer.status,
            answer.body
        );
        answer.location
    }

    async fn log_in(&mut self) -> String {
        self.submit(
            "/inloggen",
            "open/login",
            &[("email", JUDITH_EMAIL), ("password", JUDITH_PASSWORD)],
        )
        .await
    }

    /// The wizard's first step, the password again.
    async fn confirm_password(&mut self) {
        assert!(self.page(WIZARD).await.contains("1. Vul je wachtwoord in"));
        let to = self
            .submit(
                WIZARD,
                "instellen/wizard_password",
                &[("password", JUDITH_PASSWORD)],
            )
            .await;
        assert_eq!(to, WIZARD);
    }
}

/// The key the wizard shows to type into an app by hand, decoded.
fn shown_secret(page: &str) -> Vec<u8> {
    let key = page
        .split("<code id=\"sleutel\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("the wizard shows the key:\n{page}"));
    totp_rs::Secret::Encoded(key.replace(' ', ""))
        .to_bytes()
        .expect("the key is base32")
}

/// The recovery codes a page shows.
fn shown_recovery_codes(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .map(str::to_owned)
        .collect()
}

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
}

/// The app's code now.
fn current_code(secret: &[u8]) -> String {
    totp::code_for_step(secret, totp::step_at((unix_millis() / 1000) as i64))
}

/// The code of the time step before this one, which the server still takes (SEC-06): enrolment
/// confirmed with it leaves the current step for the login after it, so that the test need not
/// wait for a new step (a step is taken only once, SEC-07). Within the last two seconds of a
/// step, it waits for the next one, so that the server does not see a step later.
async fn previous_code(secret: &[u8]) -> String {
    let into_step = unix_millis() % (totp::STEP_SECONDS as u128 * 1000);
    let left = totp::STEP_SECONDS as u128 * 1000 - into_step;
    if left < 2000 {
        tokio::time::sleep(Duration::from_millis(left as u64 + 50)).await;
    }
    totp::code_for_step(secret, totp::step_at((unix_millis() / 1000) as i64) - 1)
}

/// From the introduction after the password to the wizard's QR step; returns the key shown.
async fn up_to_the_key(browser: &mut Browser) -> Vec<u8> {
    browser.confirm_password().await;
    assert!(
        browser
            .page(WIZARD)
            .await
            .contains("2. Kies hoe je authenticatie-codes wilt ontvangen")
    );
    let to = browser
        .submit(WIZARD, "instellen/wizard_method", &[("method", "app")])
        .await;
    assert_eq!(to, WIZARD);
    let scan = browser.page(WIZARD).await;
    assert!(scan.contains("3. Scan deze QR-code"), "{scan}");
    shown_secret(&scan)
}

/// The wizard's code step: the app's code switches two-step authentication on.
async fn confirm_code(browser: &mut Browser, secret: &[u8]) {
    let page = format!("{WIZARD}?stap=code");
    assert!(
        browser
            .page(&page)
            .await
            .contains("4. Vul de code in van de authenticatie-applicatie")
    );
    let code = previous_code(secret).await;
    let to = browser
        .submit(&page, "instellen/wizard_code", &[("code", &code)])
        .await;
    assert_eq!(to, WIZARD, "the code was taken");
}

/// The wizard's last step: the recovery codes, and "Gedaan". Returns the codes.
async fn save_recovery_codes(browser: &mut Browser) -> Vec<String> {
    let page = browser.page(WIZARD).await;
    assert!(page.contains("5. Bewaar je herstelcodes"), "{page}");
    let codes = shown_recovery_codes(&page);
    assert_eq!(codes.len(), 10, "{page}");
    let to = browser
        .submit(WIZARD, "instellen/wizard_done", &[("saved", "on")])
        .await;
    assert_eq!(to, "/");
    let after = browser.page(WIZARD).await;
    assert!(
        after.contains("Twee-staps-authenticatie is ingeschakeld voor jouw account."),
        "{after}"
    );
    assert!(!after.contains(&codes[0]), "the codes are not shown again");
    codes
}

async fn log_out(browser: &mut Browser) {
    browser.submit("/", "open/logout", &[]).await;
    assert!(!browser.cookies.contains_key("tweestap_sessie"));
}

// Killed after the wizard made the secret and showed it, before any code was confirmed.
#[tokio::test]
async fn killed_between_the_secret_and_its_code_the_user_is_not_half_enabled() {
    let _turn = one_at_a_time();
    let dir = DataDir::new();
    let server = Server::start(&dir, 1).await;
    let mut browser = Browser::new(&server);
    assert_eq!(browser.log_in().await, "/twee-staps/introductie");
    let before = up_to_the_key(&mut browser).await;
    server.kill();

    let server = Server::start(&dir, 2).await;
    // Another browser: the crash took the tab with it.
    let mut browser = Browser::new(&server);
    assert_eq!(
        browser.log_in().await,
        "/twee-staps/introductie",
        "state found: a secret never confirmed, so not enabled: the password alone lets her in \
         and no code is asked for"
    );
    assert!(browser.page("/").await.contains("Judith van Haare"));
    browser.confirm_password().await;
    let scan = browser.page(WIZARD).await;
    assert!(
        scan.contains("3. Scan deze QR-code"),
        "state found: the enrolment in progress, at its QR step: {scan}"
    );
    assert_eq!(
        shown_secret(&scan),
        before,
        "state found: the secret made before the kill, so the app she scanned then fits"
    );
    confirm_code(&mut browser, &before).await;
    save_recovery_codes(&mut browser).await;
    log_out(&mut browser).await;

    assert_eq!(
        browser.log_in().await,
        "/inloggen/code",
        "enabled now: the login asks for the code"
    );
    let to = browser
        .submit(
            "/inloggen/code",
            "tweede-stap/second_step_code",
            &[("code", &current_code(&before))],
        )
        .await;
    assert_eq!(to, "/", "the app's code lets her in");
    assert!(browser.page("/").await.contains("Judith van Haare"));
    server.kill();
}

// Killed right after the code switched two-step authentication on, before the recovery codes
// were saved ("Gedaan").
#[tokio::test]
async fn killed_between_the_code_and_gedaan_the_user_is_enabled_and_gets_her_codes() {
    let _turn = one_at_a_time();
    let dir = DataDir::new();
    let server = Server::start(&dir, 1).await;
    let mut browser = Browser::new(&server);
    assert_eq!(browser.log_in().await, "/twee-staps/introductie");
    let secret = up_to_the_key(&mut browser).await;
    confirm_code(&mut browser, &secret).await;
    server.kill();

    let server = Server::start(&dir, 2).await;
    let mut browser = Browser::new(&server);
    assert_eq!(
        browser.log_in().await,
        "/inloggen/code",
        "state found: enabled by the confirmed code, so the login asks for it"
    );
    let to = browser
        .submit(
            "/inloggen/code",
            "tweede-stap/second_step_code",
            &[("code", &current_code(&secret))],
        )
        .await;
    assert_eq!(to, "/", "not locked out: the app's code lets her in");
    // The codes made when it was switched on wait, behind the password, to be saved.
    browser.confirm_password().await;
    let codes = save_recovery_codes(&mut browser).await;
    log_out(&mut browser).await;

    assert_eq!(browser.log_in().await, "/inloggen/code");
    let to = browser
        .submit(
            "/inloggen/herstelcode",
            "tweede-stap/second_step_recovery",
            &[("code", &codes[0])],
        )
        .await;
    assert!(
        to.starts_with("/inloggen/herstelcode-gebruikt"),
        "the codes shown after the kill are the ones that work: {to}"
    );
    assert!(browser.page("/").await.contains("Judith van Haare"));
    server.kill();
}
