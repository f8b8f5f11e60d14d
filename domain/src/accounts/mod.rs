//! Accounts: email addresses and passwords as typed, users, password logins and sessions.

pub mod email;
pub mod guessing;
pub mod guessing_limits;
pub mod login;
pub mod password;
pub mod reauth;
pub mod session;
pub mod users;

#[cfg(test)]
mod tests;
