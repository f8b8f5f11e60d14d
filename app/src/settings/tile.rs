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
    routes::{DEVICES, DISABLE, PASSKEYS, RECOVERY_CODES, SETTINGS, WIZARD, with_next},
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    sms, time,
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
            .map(time::format_dutch),
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
            <h2 id="tegel-twee-staps">"Twee-staps-authenticatie"</h2>
            <Explanation/>
            <Transition fallback=|| view! { <p>"Laden…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(Status { enabled_since: Some(since), sms_number, passkey_method, passkeys, codes_left, mandatory }) => view! {
                            <p class="status on">"Twee-staps-authenticatie is ingeschakeld."</p>
                            <p>
                                {match sms_number {
                                    Some(number) => format!("Methode: SMS met code naar {number}, sinds {since}."),
                                    None if passkey_method => format!("Methode: passkey, sinds {since}."),
                                    None => format!("Methode: code van authenticatie-applicatie, sinds {since}."),
                                }}
                            </p>
                            <p>{format!("Je hebt nog {} over.", crate::words::count(codes_left as i64, "herstelcode", "herstelcodes"))}</p>
                            <a class="button secondary" href=RECOVERY_CODES>"Herstelcodes opnieuw aanmaken"</a>
                            <p><a href=crate::routes::METHOD>"Methode wijzigen"</a></p>
                            {passkeys.map(|count| view! {
                                <p>
                                    <a href=PASSKEYS>"Passkeys en beveiligingssleutels"</a>
                                    {format!(" ({})", crate::words::count(count as i64, "passkey", "passkeys"))}
                                </p>
                            })}
                            <p><a href=DEVICES>"Onthouden apparaten"</a></p>
                            {(!mandatory).then(|| view! {
                                <p><a href=DISABLE>"Twee-staps-authenticatie uitschakelen"</a></p>
                            })}
                        }
                        .into_any(),
                        Ok(_) => view! {
                            <p class="status off">"Twee-staps-authenticatie is uitgeschakeld."</p>
                            <a class="button primary" href=with_next(WIZARD, &Some(SETTINGS.to_owned()))>
                                "Twee-staps-authenticatie inschakelen"
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
        started: time::format_dutch(session.created_at),
        ends_at_latest: time::format_dutch(session.expires_at),
        idle_minutes: ctx.settings.session_idle.num_minutes(),
    })
}
