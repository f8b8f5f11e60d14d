//! How long checking an authenticator-app code takes on the server: the HMAC work for the
//! current and the previous time step, as `verify_app_code` does it before its one database
//! update. Run with `cargo bench -p tweestap-domain --features testing --bench totp`; it prints the time per
//! check. (A plain timing loop: the figure is for the report, not a test.)

use std::time::Instant;

use tweestap_domain::twofactor::totp;

fn main() {
    let secret = totp::new_secret();
    let now = 1_800_000_000_i64;
    let right = totp::code_for_step(&secret, totp::step_at(now));
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let rounds = 200_000;
    for (name, code) in [("right code", right.as_str()), ("wrong code", wrong)] {
        // Warm up, then measure.
        for _ in 0..10_000 {
            std::hint::black_box(totp::matching_step(&secret, code, now));
        }
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(totp::matching_step(
                std::hint::black_box(&secret),
                std::hint::black_box(code),
                now,
            ));
        }
        let per_check = start.elapsed() / rounds;
        println!("totp check, {name}: {per_check:?} per check ({rounds} rounds)");
    }
}
