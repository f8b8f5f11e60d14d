//! The second factor: the authenticator app's codes, recovery codes, enrolment (with the app
//! and with SMS), passkeys, the attempt limit and lock, remembered browsers, changing the
//! method, and the rollout policy.

pub mod app_code;
pub mod attempts;
pub mod change;
pub mod clock_drift;
pub mod deferral;
pub mod disable;
pub mod enrolment;
pub mod factor;
pub mod method_policy;
pub mod methods;
pub mod passkey;
pub mod passkey_sign_in;
pub mod passkey_steps;
pub mod policy;
pub mod recovery;
pub mod recovery_codes;
pub mod remembered;
pub mod second_step;
pub mod sms_enrolment;
pub mod totp;

pub use crate::db::entity::two_factor::Method;

#[cfg(test)]
mod change_tests;
#[cfg(test)]
mod clock_drift_tests;
#[cfg(test)]
mod passkey_tests;
#[cfg(test)]
mod tests;
