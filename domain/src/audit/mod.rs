//! The security log (SEC-21): what happened to an account's factors, and the email that tells
//! its owner.

pub mod event;
pub mod log;
pub mod notice;

#[cfg(test)]
mod fault_tests;
