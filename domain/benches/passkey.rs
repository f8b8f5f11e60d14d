//! How long checking a passkey's answer takes on the server, beside an authenticator-app code:
//! the relying party's whole check of one answer (`finish_passkey_authentication`: the client
//! data, the origin, the challenge, the flags, the counter and the ES256 signature), without the
//! database around it. Run with `cargo bench -p tweestap-domain --features testing --bench
//! passkey`; it prints the time per check. (A plain timing loop: the figure is for the report,
//! not a test.)

use std::time::Instant;

use tweestap_domain::twofactor::totp;
use webauthn_authenticator_rs::{WebauthnAuthenticator as _, softpasskey::SoftPasskey};
use webauthn_rs::prelude::{Url, Uuid, WebauthnBuilder};

fn main() {
    let origin = Url::parse("http://localhost:3000").expect("an origin");
    let rp = WebauthnBuilder::new("localhost", &origin)
        .and_then(|builder| builder.rp_name("Tweestap").build())
        .expect("a relying party");
    let mut key = SoftPasskey::new(true);
    let (options, state) = rp
        .start_passkey_registration(Uuid::new_v4(), "judith@example.nl", "Judith", None)
        .expect("registration options");
    let answer = key
        .do_registration(origin.clone(), options)
        .expect("the key registers");
    let passkey = rp
        .finish_passkey_registration(&answer, &state)
        .expect("registered");

    // Every answer is signed beforehand: only the server's check is timed.
    let rounds = 2_000;
    let answers: Vec<_> = (0..rounds)
        .map(|_| {
            let (options, state) = rp
                .start_passkey_authentication(std::slice::from_ref(&passkey))
                .expect("sign-in options");
            let answer = key
                .do_authentication(origin.clone(), options)
                .expect("the key answers");
            (state, answer)
        })
        .collect();
    let start = Instant::now();
    for (state, answer) in &answers {
        std::hint::black_box(
            rp.finish_passkey_authentication(answer, state)
                .expect("a good answer"),
        );
    }
    let per_passkey = start.elapsed() / rounds;

    let secret = totp::new_secret();
    let now = 1_800_000_000_i64;
    let code = totp::code_for_step(&secret, totp::step_at(now));
    let totp_rounds = 200_000;
    let start = Instant::now();
    for _ in 0..totp_rounds {
        std::hint::black_box(totp::matching_step(
            std::hint::black_box(&secret),
            std::hint::black_box(&code),
            now,
        ));
    }
    let per_code = start.elapsed() / totp_rounds;
    println!("passkey answer checked: {per_passkey:?} per check ({rounds} rounds)");
    println!("app code checked:       {per_code:?} per check ({totp_rounds} rounds)");
    println!(
        "ratio: a passkey check takes {:.0} times an app code's",
        per_passkey.as_secs_f64() / per_code.as_secs_f64()
    );
}
