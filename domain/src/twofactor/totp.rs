//! Codes from the authenticator app: RFC 6238 with SHA1, 6 digits and 30-second steps, as
//! Microsoft, Google and LastPass Authenticator expect (SEC-05). The current code and the
//! previous one are accepted, nothing older and nothing from the future (SEC-06).

use percent_encoding::{AsciiSet, utf8_percent_encode};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

pub const DIGITS: usize = 6;
pub const STEP_SECONDS: u64 = 30;
/// 160 bits, as RFC 4226 recommends (SEC-08).
pub const SECRET_BYTES: usize = 20;

/// A new secret from the OS random source.
pub fn new_secret() -> [u8; SECRET_BYTES] {
    crate::crypto::os_random::<SECRET_BYTES>()
}

/// The secret as the user types it into an app by hand: base32, in groups of four.
pub fn secret_for_people(secret: &[u8]) -> String {
    let encoded = Secret::Raw(secret.to_vec()).to_encoded().to_string();
    encoded
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The Key URI for the QR code: `otpauth://totp/Issuer:account?secret=...&issuer=Issuer&...`.
/// Everything but RFC 3986's unreserved characters is percent-encoded.
const UNRESERVED: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn key_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    // The label and the issuer as in a URI: spaces as %20, never +; the account's @ kept.
    const LABEL: &AsciiSet = &UNRESERVED.remove(b'@');
    let encode = |value: &str| utf8_percent_encode(value, LABEL).to_string();
    let secret = Secret::Raw(secret.to_vec()).to_encoded().to_string();
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        issuer = encode(issuer),
        account = encode(account),
    )
}

fn totp(secret: &[u8], digits: usize) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, digits, 0, STEP_SECONDS, secret.to_vec())
}

/// The time step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS as i64)
}

/// The code for a time step.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    totp(secret, DIGITS).generate(step.max(0) as u64 * STEP_SECONDS)
}

/// Only digits; spaces (as apps show codes: "123 456") are ignored. `None` if it cannot be a
/// code at all.
pub fn normalize(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The time step the code belongs to, if it is the current or the previous one. Compared in
/// constant time (SEC-16).
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: i64) -> Option<i64> {
    let now = step_at(unix_seconds);
    let mut found = None;
    for step in [now, now - 1] {
        let expected = code_for_step(secret, step);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// How far from the server's time a code outside the window is still recognised, to tell a
/// user that the phone's clock is off: 10 steps, 5 minutes, either way.
pub const DRIFT_STEPS: i64 = 10;

/// For a code that is not in the window: how many steps the phone's clock seems to be off, if
/// the code is that of a step at most `DRIFT_STEPS` from now (positive: the phone runs ahead).
/// The nearest such step wins; every code is compared, in constant time (SEC-16). Only a
/// diagnosis: a step found here is never accepted or spent.
pub fn drift(secret: &[u8], code: &str, unix_seconds: i64) -> Option<i64> {
    let now = step_at(unix_seconds);
    if matching_step(secret, code, unix_seconds).is_some() {
        return None;
    }
    let mut found: Option<i64> = None;
    for offset in -DRIFT_STEPS..=DRIFT_STEPS {
        if offset == 0 || offset == -1 {
            continue;
        }
        let expected = code_for_step(secret, now + offset);
        let equal = bool::from(expected.as_bytes().ct_eq(code.as_bytes()));
        if equal && found.is_none_or(|f| offset.abs() < f.abs()) {
            found = Some(offset);
        }
    }
    found
}

/// A drift of `steps` in whole minutes, as people say it: rounded, half a minute up, and at
/// least 1 (one step, 30 s, is "ongeveer 1 minuut").
pub fn drift_minutes(steps: i64) -> u8 {
    let minutes = (steps.unsigned_abs() + 1) / 2;
    u8::try_from(minutes.max(1)).unwrap_or(u8::MAX)
}

/// A six-digit code that is the code of no step within `DRIFT_STEPS` (and one more) of
/// `unix_seconds`: a wrong code that is plainly wrong, for tests.
#[cfg(any(test, feature = "testing"))]
pub fn unrelated_code(secret: &[u8], unix_seconds: i64) -> String {
    let now = step_at(unix_seconds);
    let near: Vec<String> = (now - DRIFT_STEPS - 2..=now + DRIFT_STEPS + 2)
        .map(|step| code_for_step(secret, step))
        .collect();
    (0..)
        .map(|n: u32| format!("{:06}", n * 111_111 % 1_000_000))
        .find(|code| !near.contains(code))
        .expect("fewer than 30 codes are near")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    // SEC-05: the SHA1 vectors of RFC 6238, appendix B (8 digits).
    #[test]
    fn rfc_6238_vectors_sec_05() {
        for (time, code) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(totp(RFC_SECRET, 8).generate(time), code, "t = {time}");
        }
    }

    // SEC-06: the current and the previous code, nothing else.
    #[test]
    fn accepts_the_current_and_previous_code_only_sec_06() {
        let secret = new_secret();
        let now = 1_800_000_015_i64;
        let step = step_at(now);
        let code = |s: i64| code_for_step(&secret, s);
        assert_eq!(matching_step(&secret, &code(step), now), Some(step));
        assert_eq!(matching_step(&secret, &code(step - 1), now), Some(step - 1));
        for other in [step - 2, step - 3, step + 1, step + 2] {
            let c = code(other);
            // A code of another step may by chance equal one in the window; skip that case.
            if c != code(step) && c != code(step - 1) {
                assert_eq!(matching_step(&secret, &c, now), None, "step {other}");
            }
        }
        // The previous code stays valid for 30 seconds more, then no longer.
        let start_of_step = step * 30;
        assert_eq!(
            matching_step(&secret, &code(step - 1), start_of_step + 29),
            Some(step - 1)
        );
        assert_eq!(
            matching_step(&secret, &code(step - 1), start_of_step + 30),
            None
        );
    }

    // A code of a step near the window tells how far off the phone's clock is; the window's
    // own codes and codes beyond DRIFT_STEPS tell nothing (SEC-06: none of them is accepted).
    #[test]
    fn a_code_near_the_window_tells_the_drift() {
        let secret = new_secret();
        let now = 1_800_000_015_i64;
        let step = step_at(now);
        let code = |s: i64| code_for_step(&secret, s);
        // A code of another step may by chance equal a nearer one; those steps are skipped.
        let unique = |offset: i64| {
            (-DRIFT_STEPS - 1..=DRIFT_STEPS + 1)
                .filter(|other| *other != offset)
                .all(|other| code(step + other) != code(step + offset))
        };
        for offset in [1, 4, DRIFT_STEPS, -2, -4, -DRIFT_STEPS] {
            if unique(offset) {
                assert_eq!(drift(&secret, &code(step + offset), now), Some(offset));
                assert_eq!(matching_step(&secret, &code(step + offset), now), None);
            }
        }
        for offset in [0, -1, DRIFT_STEPS + 1, -DRIFT_STEPS - 1] {
            if unique(offset) {
                assert_eq!(drift(&secret, &code(step + offset), now), None, "{offset}");
            }
        }
        assert_eq!(drift(&secret, &unrelated_code(&secret, now), now), None);
    }

    #[test]
    fn a_drift_is_told_in_whole_minutes_at_least_one() {
        let minutes: Vec<u8> = [1, 2, 3, 4, 5, 9, 10, -2, -3, -10]
            .into_iter()
            .map(drift_minutes)
            .collect();
        assert_eq!(minutes, [1, 1, 2, 2, 3, 5, 5, 1, 2, 5]);
    }

    #[test]
    fn codes_are_six_digits_and_spaces_are_ignored() {
        assert_eq!(normalize(" 123 456 ").as_deref(), Some("123456"));
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
        assert_eq!(code_for_step(&new_secret(), 12345).len(), 6);
    }

    #[test]
    fn the_key_uri_follows_the_key_uri_format() {
        let uri = key_uri(&[0u8; 20], "PRO Praktijksteun", "judith@example.nl");
        assert_eq!(
            uri,
            "otpauth://totp/PRO%20Praktijksteun:judith@example.nl?secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&issuer=PRO%20Praktijksteun&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(secret_for_people(&[0u8; 20]).split(' ').count(), 8);
    }
}
