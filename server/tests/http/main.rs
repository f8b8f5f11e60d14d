//! The server's HTTP tests, one binary with a module per chapter: each drives the real router
//! in-process (server functions included) with a cookie jar, as a browser would, on SQLite and
//! on PostgreSQL.

mod support;

mod account;
mod clock_drift;
mod guessing;
mod language;
mod login;
mod mail;
mod method_change;
mod operations;
mod rendering;
mod second_step;
mod sms;
