//! How long one password verification takes: the argon2 limit of the password step
//! (1 / this time, per core). Run with
//! `cargo bench -p tweestap-domain --features testing --bench password`; `scripts/loadtest`
//! runs it on the server's core and compares the logins per second with it.
//!
//! It measures the check as the server makes it (one hashing worker reusing its memory, SEC-29)
//! and, for comparison, argon2's own `verify_password`, which allocates 19 MiB per check.
//! (A plain timing loop: the figure is for the report, not a test.)

use std::time::{Duration, Instant};

use argon2::PasswordVerifier as _;
use tweestap_domain::accounts::password::{HashingLimits, Password, PasswordHasher};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rounds = 40;
    let hasher = PasswordHasher::new(HashingLimits {
        workers: 1,
        queue: 1,
    });
    let password = Password::for_login("Een-goed-wachtwoord-42".into()).unwrap();
    let phc = hasher.hash(&password).await.unwrap();

    let mut worker = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        assert!(hasher.verify(&password, &phc).await.unwrap());
        worker.push(start.elapsed());
    }
    let worker = median(worker);

    let argon2 = argon2::Argon2::default();
    let parsed = argon2::PasswordHash::new(&phc).unwrap();
    let mut own = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        assert!(
            argon2
                .verify_password(b"Een-goed-wachtwoord-42", &parsed)
                .is_ok()
        );
        own.push(start.elapsed());
    }
    let own = median(own);

    println!(
        "argon2id verification (m=19 MiB, t=2, p=1), median of {rounds}: {:.2} ms on a hashing worker, {:.2} ms with argon2's verify_password",
        worker.as_secs_f64() * 1e3,
        own.as_secs_f64() * 1e3
    );
    println!(
        "argon2 limit: {:.1} verifications per second per core",
        1.0 / worker.as_secs_f64()
    );
}
