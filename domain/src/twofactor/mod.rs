//! The second factor: the authenticator app's codes, recovery codes, enrolment, the attempt
//! limit and lock, remembered browsers, changing the method, and the rollout policy.

pub mod change;
pub mod policy;
pub mod recovery;
pub mod second_step;
pub mod service;
pub mod totp;

pub use crate::db::entity::two_factor::Method;

#[cfg(test)]
mod change_tests;
#[cfg(test)]
mod tests;
