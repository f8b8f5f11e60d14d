//! Every metric Tweestap records (SEC-28), by name, with the helpers that record them through
//! the `metrics` facade; the server installs the Prometheus recorder and renders them. Labels
//! take a few fixed values only: never a user, an address, an email, a code or a number.
//!
//! - `tweestap_http_request_duration_seconds{method,route,status}` (histogram): every request;
//!   `route` is the router's pattern (`/api/open/login`, a page), `static` or `other`, `status` the
//!   class (`2xx` .. `5xx`).
//! - `tweestap_argon2_queue_wait_seconds` (histogram): how long a password hash waited for
//!   its turn (SEC-16, SEC-29).
//! - `tweestap_argon2_refused_total`: password hashes refused because every worker was busy
//!   and the queue was full (SEC-29).
//! - `tweestap_second_steps_total{method="app|sms|recovery|passkey",outcome="success|rejected|expired|locked"}`:
//!   second steps at login.
//! - `tweestap_logins_total{established_by="password|app|sms|recovery|passkey|passkey_alone|remembered"}`:
//!   logins completed, by the factors they gave (SEC-34).
//! - `tweestap_locks_total{kind="second_step|password_account|password_address"}`: locks
//!   written (SEC-14, SEC-25).
//! - `tweestap_password_logins_total{outcome="success|wrong|wait|locked"}`: the password step
//!   at login; `tweestap_password_confirmations_total{outcome}` the password asked again.
//! - `tweestap_clock_drift_total{direction="ahead|behind"}`: wrong app codes that were the code
//!   of a step up to 5 minutes away, so that the phone's clock seems off: at login, in the
//!   wizard and at a method change (at login also a `rejected` second step).
//! - `tweestap_sms_total{outcome="sent|failed|refused"}`: SMS codes; refused by a limit or the
//!   cooldown.
//! - `tweestap_mail_queue_depth` (gauge): unsent mails in the queue, counted at each scrape.
//! - `tweestap_mail_failures_total{outcome="retrying|given_up"}`: sends that failed.

use std::time::Duration;

use crate::error::{Error, Invalid};

pub const HTTP_REQUEST_DURATION: &str = "tweestap_http_request_duration_seconds";
pub const ARGON2_QUEUE_WAIT: &str = "tweestap_argon2_queue_wait_seconds";
pub const ARGON2_REFUSED: &str = "tweestap_argon2_refused_total";
pub const SECOND_STEPS: &str = "tweestap_second_steps_total";
pub const LOCKS: &str = "tweestap_locks_total";
pub const LOGINS: &str = "tweestap_logins_total";
pub const PASSWORD_LOGINS: &str = "tweestap_password_logins_total";
pub const PASSWORD_CONFIRMATIONS: &str = "tweestap_password_confirmations_total";
pub const SMS: &str = "tweestap_sms_total";
pub const MAIL_QUEUE_DEPTH: &str = "tweestap_mail_queue_depth";
pub const MAIL_FAILURES: &str = "tweestap_mail_failures_total";
pub const CLOCK_DRIFT: &str = "tweestap_clock_drift_total";

/// The second step's methods, as `method` labels.
pub const SECOND_STEP_METHODS: [&str; 4] = ["app", "sms", "recovery", "passkey"];
const SECOND_STEP_OUTCOMES: [&str; 4] = ["success", "rejected", "expired", "locked"];
const SMS_OUTCOMES: [&str; 3] = ["sent", "failed", "refused"];
const MAIL_FAILURE_OUTCOMES: [&str; 2] = ["retrying", "given_up"];
const LOCK_KINDS: [&str; 3] = ["second_step", "password_account", "password_address"];
const PASSWORD_OUTCOMES: [&str; 4] = ["success", "wrong", "wait", "locked"];
const CLOCK_DRIFT_DIRECTIONS: [&str; 2] = ["ahead", "behind"];

/// Descriptions for the scrape, and every counter at zero, so that a series exists (and a rate
/// can be taken) before its first event. Called once the recorder is installed.
pub fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "Time to answer a request, by method, route pattern and status class"
    );
    describe_histogram!(
        ARGON2_QUEUE_WAIT,
        Unit::Seconds,
        "Time a password hash waited for a free hashing worker"
    );
    describe_counter!(
        ARGON2_REFUSED,
        "Password hashes refused: every worker busy and the queue full"
    );
    metrics::counter!(ARGON2_REFUSED).increment(0);
    describe_counter!(SECOND_STEPS, "Second steps at login, by method and outcome");
    describe_counter!(LOCKS, "Locks written, by kind");
    describe_counter!(LOGINS, "Logins completed, by the factors they gave");
    for how in crate::db::entity::session::Assurance::ALL {
        metrics::counter!(LOGINS, "established_by" => how.label()).increment(0);
    }
    describe_counter!(PASSWORD_LOGINS, "Password steps at login, by outcome");
    describe_counter!(
        PASSWORD_CONFIRMATIONS,
        "Passwords asked again in a session, by outcome"
    );
    for outcome in PASSWORD_OUTCOMES {
        metrics::counter!(PASSWORD_LOGINS, "outcome" => outcome).increment(0);
        metrics::counter!(PASSWORD_CONFIRMATIONS, "outcome" => outcome).increment(0);
    }
    describe_counter!(
        SMS,
        "SMS codes, by outcome (refused: a limit or the cooldown)"
    );
    describe_gauge!(MAIL_QUEUE_DEPTH, "Mails in the queue, not yet sent");
    describe_counter!(MAIL_FAILURES, "Failed mail sends, by what happens next");
    for method in SECOND_STEP_METHODS {
        for outcome in SECOND_STEP_OUTCOMES {
            metrics::counter!(SECOND_STEPS, "method" => method, "outcome" => outcome).increment(0);
        }
    }
    for kind in LOCK_KINDS {
        metrics::counter!(LOCKS, "kind" => kind).increment(0);
    }
    describe_counter!(
        CLOCK_DRIFT,
        "Wrong app codes that were a nearby step's code: the phone's clock off, by direction"
    );
    for direction in CLOCK_DRIFT_DIRECTIONS {
        metrics::counter!(CLOCK_DRIFT, "direction" => direction).increment(0);
    }
    for outcome in SMS_OUTCOMES {
        metrics::counter!(SMS, "outcome" => outcome).increment(0);
    }
    for outcome in MAIL_FAILURE_OUTCOMES {
        metrics::counter!(MAIL_FAILURES, "outcome" => outcome).increment(0);
    }
    // A histogram that is registered is rendered, with no observations yet.
    let _ = metrics::histogram!(ARGON2_QUEUE_WAIT);
}

pub fn http_request(method: &'static str, route: String, status: &'static str, took: Duration) {
    metrics::histogram!(
        HTTP_REQUEST_DURATION,
        "method" => method,
        "route" => route,
        "status" => status
    )
    .record(took);
}

pub fn argon2_queue_wait(waited: Duration) {
    metrics::histogram!(ARGON2_QUEUE_WAIT).record(waited);
}

pub fn argon2_refused() {
    metrics::counter!(ARGON2_REFUSED).increment(1);
}

/// A second step's outcome, read from the check's result; a failure of the server itself
/// (database, a disabled method) is no outcome of the user's and is not counted.
pub fn second_step<T>(method: &'static str, result: &Result<T, Error>) {
    let outcome = match result {
        Ok(_) => "success",
        Err(
            Error::CodeRejected
            | Error::ClockDrift { .. }
            | Error::SmsCodeRejected
            | Error::RecoveryCodeRejected
            | Error::PasskeyRejected
            | Error::Invalid(Invalid::CodeFormat | Invalid::RecoveryCodeFormat),
        ) => "rejected",
        Err(Error::SmsCodeExpired) => "expired",
        Err(Error::Locked { .. }) => "locked",
        Err(_) => return,
    };
    metrics::counter!(SECOND_STEPS, "method" => method, "outcome" => outcome).increment(1);
}

/// A wrong app code that was the code of a step a few minutes away: the phone's clock runs
/// ahead or behind.
pub fn clock_drift(ahead: bool) {
    let direction = if ahead { "ahead" } else { "behind" };
    metrics::counter!(CLOCK_DRIFT, "direction" => direction).increment(1);
}

/// A lock was written: `second_step` or `password`.
pub fn lock(kind: &'static str) {
    metrics::counter!(LOCKS, "kind" => kind).increment(1);
}

/// The password's outcome (`success`, `wrong`, `wait`, `locked`), at login or asked again
/// (SEC-25).
pub fn password_check(confirmation: bool, outcome: &'static str) {
    let name = if confirmation {
        PASSWORD_CONFIRMATIONS
    } else {
        PASSWORD_LOGINS
    };
    metrics::counter!(name, "outcome" => outcome).increment(1);
}

/// An SMS code: `sent`, `failed` (the provider did not take it) or `refused` (a limit).
pub fn sms(outcome: &'static str) {
    metrics::counter!(SMS, "outcome" => outcome).increment(1);
}

/// A mail send failed; `given_up` when it is not tried again.
pub fn mail_failure(given_up: bool) {
    let outcome = if given_up { "given_up" } else { "retrying" };
    metrics::counter!(MAIL_FAILURES, "outcome" => outcome).increment(1);
}

pub fn mail_queue_depth(unsent: u64) {
    // Exact below 2^53, far beyond any queue.
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!(MAIL_QUEUE_DEPTH).set(unsent as f64);
}

/// A login completed, by the factors it gave (SEC-34).
pub fn login_established(how: crate::db::entity::session::Assurance) {
    metrics::counter!(LOGINS, "established_by" => how.label()).increment(1);
}
