//! The security log (SEC-21): what happened to an account's sign-in, shown to the user under
//! Instellingen as "Beveiligingslog".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::lang::{date_time, domain};
#[cfg(feature = "ssr")]
use crate::request::{Viewer, context};
use crate::{error::AppError, forms::refreshed, lang::tr};
#[cfg(feature = "ssr")]
use tweestap_domain::client::describe_in;

/// How many entries the tile shows.
pub const SHOWN: u64 = 20;

/// One line of the log as the user reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub when: String,
    pub what: String,
    pub detail: Option<String>,
    pub browser: String,
    pub ip_address: Option<String>,
}

#[server(prefix = "/api/ingelogd", endpoint = "security_log")]
pub async fn security_log() -> Result<Vec<LogEntry>, AppError> {
    let ctx = context()?;
    let session = Viewer::current().session.ok_or(AppError::NotLoggedIn)?;
    Ok(
        tweestap_domain::audit::log::recent(&ctx, session.user.id, SHOWN)
            .await?
            .into_iter()
            .map(entry)
            .collect(),
    )
}

/// An open login as people read it: when it began, from where, and how (SEC-34).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginEntry {
    pub started: String,
    pub browser: String,
    pub ip_address: Option<String>,
    /// "Wachtwoord en passkey"; `None` for a login from before this was recorded.
    pub established_by: Option<String>,
    /// The login this page is shown in.
    pub this_one: bool,
}

/// How many open logins are shown.
pub const LOGINS_SHOWN: u64 = 10;

/// The user's open logins, with how each was established (SEC-34).
#[server(prefix = "/api/ingelogd", endpoint = "open_logins")]
pub async fn open_logins() -> Result<Vec<LoginEntry>, AppError> {
    let ctx = context()?;
    let session = Viewer::current().session.ok_or(AppError::NotLoggedIn)?;
    Ok(logins(&ctx, session.user.id, Some(session.id)).await?)
}

/// `user_id`'s open logins, for the user (`current` is theirs) and the helpdesk.
#[cfg(feature = "ssr")]
pub async fn logins(
    ctx: &tweestap_domain::Context,
    user_id: i32,
    current: Option<i32>,
) -> Result<Vec<LoginEntry>, tweestap_domain::Error> {
    Ok(
        tweestap_domain::accounts::session::open_logins(ctx, user_id, LOGINS_SHOWN)
            .await?
            .into_iter()
            .map(|row| LoginEntry {
                started: date_time(row.created_at),
                browser: describe_in(row.user_agent.as_deref(), domain()),
                ip_address: row.ip_address,
                established_by: row
                    .established_by
                    .map(|how| how.text_in(domain()).to_owned()),
                this_one: Some(row.id) == current,
            })
            .collect(),
    )
}

/// Open logins as a table, newest first.
#[component]
pub fn LoginsTable(logins: Vec<LoginEntry>) -> impl IntoView {
    view! {
        <table class="log logins">
            <caption>{tr!(settings.logins.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{tr!(settings.logins.started)}</th>
                    <th scope="col">{tr!(settings.logins.established_by)}</th>
                    <th scope="col">{tr!(settings.log.browser)}</th>
                    <th scope="col">{tr!(settings.log.ip_address)}</th>
                </tr>
            </thead>
            <tbody>
                {logins.into_iter().map(|login| view! {
                    <tr>
                        <td>{login.started}{login.this_one.then(|| format!(" {}", tr!(settings.logins.this_session)))}</td>
                        <td>{login.established_by.unwrap_or_else(|| tr!(settings.logins.unknown).to_owned())}</td>
                        <td>{login.browser}</td>
                        <td>{login.ip_address.unwrap_or_else(|| "–".to_owned())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A stored event as people read it: the user in their log, the helpdesk on its page.
#[cfg(feature = "ssr")]
pub fn entry(row: tweestap_domain::db::entity::security_event::Model) -> LogEntry {
    LogEntry {
        when: date_time(row.created_at),
        what: row.kind.text_in(domain()).to_owned(),
        detail: row.detail,
        browser: describe_in(row.user_agent.as_deref(), domain()),
        ip_address: row.ip_address,
    }
}

/// The log as a table, newest first.
#[component]
pub fn LogTable(entries: Vec<LogEntry>) -> impl IntoView {
    view! {
        <table class="log">
            <thead>
                <tr>
                    <th scope="col">{tr!(settings.log.when)}</th>
                    <th scope="col">{tr!(settings.log.what)}</th>
                    <th scope="col">{tr!(settings.log.browser)}</th>
                    <th scope="col">{tr!(settings.log.ip_address)}</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|entry| view! {
                    <tr>
                        <td>{entry.when}</td>
                        <td>{entry.what}{entry.detail.map(|d| format!(" ({d})"))}</td>
                        <td>{entry.browser}</td>
                        <td>{entry.ip_address.unwrap_or_else(|| "–".to_owned())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Profile -> Instellingen -> "Beveiligingslog".
#[component]
pub fn SecurityLogTile() -> impl IntoView {
    let entries = Resource::new(refreshed, |_| security_log());
    let logins = Resource::new(refreshed, |_| open_logins());
    view! {
        <section class="tile wide" aria-labelledby="tegel-log">
            <h2 id="tegel-log">{tr!(settings.log.title)}</h2>
            <p>{tr!(settings.log.intro)}</p>
            <Transition fallback=|| view! { <p>{tr!(settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(entries) if entries.is_empty() => view! { <p>{tr!(settings.log.empty)}</p> }.into_any(),
                        Ok(entries) => view! { <LogTable entries/> }.into_any(),
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    logins.await.ok().map(|logins| view! { <LoginsTable logins/> })
                })}
            </Transition>
        </section>
    }
}
