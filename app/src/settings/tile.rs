//! Profile -> Instellingen: the tile "Twee-staps-authenticatie" with its state and actions, and
//! the session's times.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request::{Viewer, context, logged_in};
use crate::{
    components::factor::Explanation,
    error::AppError,
    forms::refreshed,
    lang::tr,
    routes::{DEVICES, DISABLE, PASSKEYS, RECOVERY_CODES, SETTINGS, WIZARD, with_next},
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    sms,
    twofactor::{Method, factor, passkey, policy, recovery_codes},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub enabled_since: Option<String>,
    /// The mandatory period: it cannot be switched off.
    pub mandatory: bool,
    /// The masked number when the method is SMS.
    pub sms_number: Option<String>,
    /// Passkeys are the method (no code).
    pub passkey_method: bool,
    /// How many passkeys the user has; `None` when the installation offers none.
    pub passkeys: Option<usize>,
    pub codes_left: u64,
}

#[server(prefix = "/api/ingelogd", endpoint = "two_factor_status")]
pub async fn two_factor_status() -> Result<Status, AppError> {
    let (ctx, _, session) = logged_in()?;
    let factor = factor::factor(&ctx, session.user.id)
        .await?
        .filter(|row| row.enabled_at.is_some());
    let sms_number = match &factor {
        Some(row) if row.method == Method::Sms => Some(sms::number_of(&ctx, row)?.masked()),
        _ => None,
    };
    Ok(Status {
        enabled_since: factor
            .as_ref()
            .and_then(|row| row.enabled_at)
            .map(crate::lang::date_time),
        sms_number,
        passkey_method: factor
            .as_ref()
            .is_some_and(|row| row.method == Method::Passkey),
        passkeys: if passkey::available(&ctx) {
            Some(passkey::passkeys(&ctx, session.user.id).await?.len())
        } else {
            None
        },
        mandatory: ctx.settings.rollout.phase(ctx.now()) == policy::Phase::Mandatory,
        codes_left: recovery_codes::recovery_codes_left(&ctx, session.user.id).await?,
    })
}

/// Profile -> Instellingen -> "Twee-staps-authenticatie".
#[component]
pub fn TwoFactorTile() -> impl IntoView {
    let status = Resource::new(refreshed, |_| two_factor_status());
    view! {
        <section class="tile" aria-labelledby="tegel-twee-staps">
            <h2 id="tegel-twee-staps">{tr!(settings.tile.title)}</h2>
            <Explanation/>
            <Transition fallback=|| view! { <p>{tr!(settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(Status { enabled_since: Some(since), sms_number, passkey_method, passkeys, codes_left, mandatory }) => view! {
                            <p class="status on">{tr!(settings.tile.on)}</p>
                            <p>
                                {match sms_number {
                                    Some(number) => tr!(settings.tile.method_sms, number = number, since = since),
                                    None if passkey_method => tr!(settings.tile.method_passkey, since = since),
                                    None => tr!(settings.tile.method_app, since = since),
                                }}
                            </p>
                            <p>{tr!(settings.tile.codes_left, codes = crate::words::count(codes_left as i64, tr!(settings.counted.recovery_code), tr!(settings.counted.recovery_codes)))}</p>
                            <a class="button secondary" href=RECOVERY_CODES>{tr!(settings.recovery.title)}</a>
                            <p><a href=crate::routes::METHOD>{tr!(settings.method.title)}</a></p>
                            {passkeys.map(|count| view! {
                                <p>
                                    <a href=PASSKEYS>{tr!(settings.passkeys.title)}</a>
                                    {format!(" ({})", crate::words::count(count as i64, tr!(settings.counted.passkey), tr!(settings.counted.passkeys)))}
                                </p>
                            })}
                            <p><a href=DEVICES>{tr!(settings.tile.devices)}</a></p>
                            {(!mandatory).then(|| view! {
                                <p><a href=DISABLE>{tr!(settings.disable.title)}</a></p>
                            })}
                        }
                        .into_any(),
                        Ok(_) => view! {
                            <p class="status off">{tr!(settings.tile.off)}</p>
                            <a class="button primary" href=with_next(WIZARD, &Some(SETTINGS.to_owned()))>
                                {tr!(settings.tile.enable)}
                            </a>
                        }
                        .into_any(),
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The current session's times, in words for the settings tile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimes {
    pub started: String,
    pub ends_at_latest: String,
    pub idle_minutes: i64,
}

#[server(prefix = "/api/ingelogd", endpoint = "session_overview")]
pub async fn session_overview() -> Result<SessionTimes, AppError> {
    let ctx = context()?;
    let session = Viewer::current().session.ok_or(AppError::NotLoggedIn)?;
    Ok(SessionTimes {
        started: crate::lang::date_time(session.created_at),
        ends_at_latest: crate::lang::date_time(session.expires_at),
        idle_minutes: ctx.settings.session_idle.num_minutes(),
    })
}
