//! Tweestap's domain: accounts, two-step authentication, SMS, the security log, mail and the
//! helpdesk's services, with their storage and settings. It knows no UI: the Leptos app in
//! `app` and the server in `server` call it, and map its `Error` to what a browser sees.

pub mod accounts;
pub mod audit;
pub mod client;
pub mod clock;
pub mod context;
pub mod crypto;
pub mod db;
pub mod delivery;
pub mod error;
pub mod helpdesk;
pub mod lang;
pub mod mail;
pub mod metrics;
pub mod outbox;
pub mod periodic;
pub mod retention;
pub mod settings;
pub mod sms;
pub mod time;
pub mod twofactor;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use context::Context;
pub use error::{Error, Invalid};
pub use lang::Lang;
