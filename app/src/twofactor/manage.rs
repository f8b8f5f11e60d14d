//! Managing two-step authentication from the settings: a new set of recovery codes (SEC-13),
//! behind the password entered again within the last few minutes (SEC-20).

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::SaveRecoveryCodes;
use crate::error::{AppError, FormError, form_error};

pub const RECOVERY_CODES_PAGE: &str = "/profiel/herstelcodes";
pub const DEVICES_PAGE: &str = "/profiel/apparaten";
pub const DISABLE_PAGE: &str = "/profiel/uitschakelen";
/// How recently the password must have been entered for a change from the settings (SEC-20).
pub const REAUTH_MINUTES: i64 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecoveryCodesStep {
    /// Two-step authentication is off: there are no recovery codes.
    Off,
    /// The password first.
    Password,
    /// Ready to make a new set; so many of the current set are left.
    Confirm { left: u64 },
    /// The new set, shown once until "Gedaan".
    Show { codes: Vec<String> },
}

#[cfg(feature = "ssr")]
pub(crate) fn password_fresh(
    ctx: &crate::context::AppContext,
    session: &crate::auth::session::ActiveSession,
) -> bool {
    session
        .password_confirmed_at
        .is_some_and(|at| ctx.now() - at < chrono::Duration::minutes(REAUTH_MINUTES))
}

/// The password entered again in this session: the wizard's first step, and the changes in the
/// settings. A wrong one is answered like a wrong password at login.
#[cfg(feature = "ssr")]
pub(crate) async fn confirm_password_again(
    ctx: &crate::context::AppContext,
    session: &crate::auth::session::ActiveSession,
    password: String,
) -> Result<(), AppError> {
    let password = crate::auth::password::Password::for_login(password)?;
    let email = crate::auth::email::Email::parse(&session.user.email)?;
    if crate::auth::users::check_password(ctx, &email, &password)
        .await
        .is_err()
    {
        tracing::info!(user_id = session.user.id, "password confirmation refused");
        return Err(AppError::WrongPassword);
    }
    let rotated = crate::auth::session::confirm_password(&ctx.db, ctx.now(), session)
        .await
        .map_err(crate::context::internal)?;
    if let Some(token) = rotated {
        crate::auth::set_response_cookie(&token.cookie());
    }
    Ok(())
}

#[server(endpoint = "recovery_codes_state")]
pub async fn recovery_codes_state() -> Result<RecoveryCodesStep, AppError> {
    use super::service;
    let (ctx, _, session) = super::server::logged_in()?;
    let Some(row) = service::factor(&ctx, session.user.id)
        .await?
        .filter(|row| row.enabled_at.is_some())
    else {
        return Ok(RecoveryCodesStep::Off);
    };
    // New codes not yet saved are shown behind the password entered in the last quarter of an
    // hour, as in the wizard: a session found open later cannot read them.
    let pending = service::codes_to_show(&ctx, &row).await?;
    let recent = service::password_recently_confirmed(&ctx, session.password_confirmed_at);
    Ok(match pending {
        Some(codes) if recent => RecoveryCodesStep::Show { codes },
        _ if !password_fresh(&ctx, &session) => RecoveryCodesStep::Password,
        _ => RecoveryCodesStep::Confirm {
            left: service::recovery_codes_left(&ctx, session.user.id).await?,
        },
    })
}

/// The password again, for the changes in the settings; back to the page that asked.
#[server(endpoint = "reauthenticate")]
pub async fn reauthenticate(password: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = super::server::logged_in()?;
    confirm_password_again(&ctx, &session, password).await?;
    let back = match next.as_deref() {
        Some(DEVICES_PAGE) => DEVICES_PAGE.to_owned(),
        Some(DISABLE_PAGE) => DISABLE_PAGE.to_owned(),
        Some(super::change::METHOD_PAGE) => super::change::METHOD_PAGE.to_owned(),
        // The helpdesk's pages, for an admin's reset or unlock.
        Some(path) if path.starts_with(crate::helpdesk::HELPDESK_PAGE) => {
            crate::auth::safe_next(Some(path))
        }
        _ => RECOVERY_CODES_PAGE.to_owned(),
    };
    leptos_axum::redirect(&back);
    Ok(())
}

/// "Herstelcodes opnieuw aanmaken": the whole previous set stops working (SEC-13).
#[server(endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes() -> Result<(), AppError> {
    let (ctx, viewer, session) = super::server::logged_in()?;
    if !password_fresh(&ctx, &session) {
        return Err(AppError::PasswordConfirmationNeeded);
    }
    super::service::regenerate_recovery_codes(&ctx, session.user.id, Some(&viewer.client)).await?;
    leptos_axum::redirect(RECOVERY_CODES_PAGE);
    Ok(())
}

/// "Gedaan": the new codes are no longer kept anywhere but as hashes.
#[server(endpoint = "recovery_codes_done")]
pub async fn recovery_codes_done(saved: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = super::server::logged_in()?;
    if saved.as_deref() != Some("on") {
        return Err(AppError::invalid(crate::error::Problem::CodesNotSaved));
    }
    super::service::finish_enrolment(&ctx, session.user.id).await?;
    leptos_axum::redirect("/profiel/instellingen");
    Ok(())
}

/// Profile -> Instellingen -> "Herstelcodes opnieuw aanmaken".
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let state = Resource::new(|| (), |_| recovery_codes_state());
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<RegenerateRecoveryCodes>(),
        form_error::<RecoveryCodesDone>(),
    );
    view! {
        <Title text="Herstelcodes opnieuw aanmaken"/>
        <h1>"Herstelcodes opnieuw aanmaken"</h1>
        <Suspense fallback=|| view! { <p>"Laden…"</p> }>
            {move || {
                let (password_error, regenerate_error, done_error) = errors.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(RecoveryCodesStep::Off) => view! {
                            <p>"Twee-staps-authenticatie is uitgeschakeld, dus je hebt geen herstelcodes."</p>
                            <p><a href="/profiel/instellingen">"Terug naar je instellingen"</a></p>
                        }
                        .into_any(),
                        Ok(RecoveryCodesStep::Password) => view! {
                            <PasswordAgain next=RECOVERY_CODES_PAGE error=password_error/>
                        }
                        .into_any(),
                        Ok(RecoveryCodesStep::Confirm { left }) => view! {
                            <p>{format!("Je hebt nog {} over. Maak je een nieuwe set aan, dan werken de huidige herstelcodes niet meer, ook de ongebruikte niet.", crate::words::count(left as i64, "herstelcode", "herstelcodes"))}</p>
                            <form method="post" action=RegenerateRecoveryCodes::PATH>
                                <FormError error=regenerate_error/>
                                <button type="submit" class="primary">"Herstelcodes opnieuw aanmaken"</button>
                            </form>
                            <p><a href="/profiel/instellingen">"Annuleren"</a></p>
                        }
                        .into_any(),
                        Ok(RecoveryCodesStep::Show { codes }) => view! {
                            <p class="success" role="status">"Je nieuwe herstelcodes zijn aangemaakt. De vorige werken niet meer."</p>
                            <SaveRecoveryCodes codes action=RecoveryCodesDone::PATH next=None error=done_error/>
                        }
                        .into_any(),
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The password form that opens the settings' changes for a few minutes (SEC-20).
#[component]
pub(crate) fn PasswordAgain(#[prop(into)] next: String, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=Reauthenticate::PATH class="narrow">
            <p>"Vul voor de zekerheid eerst je wachtwoord opnieuw in."</p>
            <input type="hidden" name="next" value=next/>
            <div class="field">
                <label for="password">"Wachtwoord"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required/>
            </div>
            <FormError error/>
            <button type="submit" class="primary">"Doorgaan"</button>
        </form>
    }
}

/// A remembered browser as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: i32,
    /// "Chrome op Windows"
    pub name: String,
    pub remembered_at: String,
    pub last_used_at: String,
    pub expires_at: String,
    /// The browser asking.
    pub this_browser: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Devices {
    pub devices: Vec<Device>,
    /// Whether the password was entered recently enough to forget devices.
    pub may_change: bool,
}

#[server(endpoint = "remembered_devices")]
pub async fn remembered_devices() -> Result<Devices, AppError> {
    use crate::time::format_dutch;
    let (ctx, viewer, session) = super::server::logged_in()?;
    let this = viewer
        .remembered
        .as_deref()
        .and_then(super::service::RememberToken::from_cookie);
    let devices = super::service::remembered_devices(&ctx, session.user.id)
        .await?
        .into_iter()
        .map(|row| Device {
            id: row.id,
            name: crate::security::browser::describe(row.user_agent.as_deref()),
            remembered_at: format_dutch(row.created_at),
            last_used_at: format_dutch(row.last_used_at),
            expires_at: format_dutch(row.expires_at),
            this_browser: this.as_ref().is_some_and(|token| token.is(&row.token_hash)),
        })
        .collect();
    Ok(Devices {
        devices,
        may_change: password_fresh(&ctx, &session),
    })
}

/// "Vergeten" for one browser (`device`), or "Alle apparaten vergeten" (none given). Only the
/// user's own; the password must be fresh (SEC-20).
#[server(endpoint = "forget_devices")]
pub async fn forget_devices(device: Option<i32>) -> Result<(), AppError> {
    let (ctx, viewer, session) = super::server::logged_in()?;
    if !password_fresh(&ctx, &session) {
        return Err(AppError::PasswordConfirmationNeeded);
    }
    super::service::forget_devices(&ctx, session.user.id, device, Some(&viewer.client)).await?;
    leptos_axum::redirect(DEVICES_PAGE);
    Ok(())
}

/// Profile -> Instellingen -> "Onthouden apparaten".
#[component]
pub fn DevicesPage() -> impl IntoView {
    let devices = Resource::new(|| (), |_| remembered_devices());
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<ForgetDevices>(),
    );
    view! {
        <Title text="Onthouden apparaten"/>
        <h1>"Onthouden apparaten"</h1>
        <p>"Op deze apparaten heb je bij het inloggen 'Onthoud mij' aangevinkt: daar wordt tijdelijk niet om een authenticatie-code gevraagd. Vergeet een apparaat dat je niet (meer) gebruikt of niet herkent."</p>
        <Suspense fallback=|| view! { <p>"Laden…"</p> }>
            {move || {
                let (password_error, forget_error) = errors.clone();
                Suspend::new(async move {
                    match devices.await {
                        Ok(Devices { devices, .. }) if devices.is_empty() => view! {
                            <p>"Er zijn geen onthouden apparaten."</p>
                        }
                        .into_any(),
                        Ok(Devices { devices, may_change }) => view! {
                            {(!may_change).then(|| view! { <PasswordAgain next=DEVICES_PAGE error=password_error/> })}
                            <FormError error=forget_error/>
                            <table class="log">
                                <thead>
                                    <tr>
                                        <th scope="col">"Apparaat"</th>
                                        <th scope="col">"Onthouden op"</th>
                                        <th scope="col">"Laatst gebruikt"</th>
                                        <th scope="col">"Verloopt op"</th>
                                        <th scope="col"><span class="visually-hidden">"Actie"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {devices.into_iter().map(|device| view! {
                                        <tr>
                                            <td>{device.name.clone()}{device.this_browser.then_some(" (deze browser)")}</td>
                                            <td>{device.remembered_at}</td>
                                            <td>{device.last_used_at}</td>
                                            <td>{device.expires_at}</td>
                                            <td>
                                                {may_change.then(|| view! {
                                                    <form method="post" action=ForgetDevices::PATH>
                                                        <input type="hidden" name="device" value=device.id/>
                                                        <button type="submit" class="link" aria-label=format!("{} vergeten", device.name)>"Vergeten"</button>
                                                    </form>
                                                })}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {may_change.then(|| view! {
                                <form method="post" action=ForgetDevices::PATH>
                                    <button type="submit" class="secondary">"Alle apparaten vergeten"</button>
                                </form>
                            })}
                        }
                        .into_any(),
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <p><a href="/profiel/instellingen">"Terug naar je instellingen"</a></p>
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisableStep {
    /// Nothing to switch off.
    Off,
    /// The mandatory period: it stays on.
    Mandatory,
    Password,
    Confirm,
}

#[server(endpoint = "disable_state")]
pub async fn disable_state() -> Result<DisableStep, AppError> {
    let (ctx, _, session) = super::server::logged_in()?;
    Ok(
        if !super::service::is_enabled(&ctx, session.user.id).await? {
            DisableStep::Off
        } else if ctx.settings.rollout.phase(ctx.now()) == super::policy::Phase::Mandatory {
            DisableStep::Mandatory
        } else if !password_fresh(&ctx, &session) {
            DisableStep::Password
        } else {
            DisableStep::Confirm
        },
    )
}

/// "Twee-staps-authenticatie uitschakelen": only while it is not mandatory, with the password
/// entered in the last 5 minutes (SEC-20). Logged.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor() -> Result<(), AppError> {
    let (ctx, viewer, session) = super::server::logged_in()?;
    if ctx.settings.rollout.phase(ctx.now()) == super::policy::Phase::Mandatory {
        return Err(AppError::TwoFactorMandatory);
    }
    if !password_fresh(&ctx, &session) {
        return Err(AppError::PasswordConfirmationNeeded);
    }
    super::service::disable_two_factor(&ctx, session.user.id, Some(&viewer.client)).await?;
    leptos_axum::redirect("/profiel/instellingen");
    Ok(())
}

/// Profile -> Instellingen -> "Twee-staps-authenticatie uitschakelen".
#[component]
pub fn DisablePage() -> impl IntoView {
    let state = Resource::new(|| (), |_| disable_state());
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<DisableTwoFactor>(),
    );
    view! {
        <Title text="Twee-staps-authenticatie uitschakelen"/>
        <h1>"Twee-staps-authenticatie uitschakelen"</h1>
        <Suspense fallback=|| view! { <p>"Laden…"</p> }>
            {move || {
                let (password_error, disable_error) = errors.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(DisableStep::Off) => view! {
                            <p>"Twee-staps-authenticatie is al uitgeschakeld."</p>
                        }
                        .into_any(),
                        Ok(DisableStep::Mandatory) => view! {
                            <p>{AppError::TwoFactorMandatory.to_string()}</p>
                        }
                        .into_any(),
                        Ok(DisableStep::Password) => view! {
                            <PasswordAgain next=DISABLE_PAGE error=password_error/>
                        }
                        .into_any(),
                        Ok(DisableStep::Confirm) => view! {
                            <p>"Zonder twee-staps-authenticatie is je account alleen met je wachtwoord beveiligd. Je authenticatie-methode, je herstelcodes en je onthouden apparaten worden verwijderd. Je kunt het later weer inschakelen onder je instellingen."</p>
                            <form method="post" action=DisableTwoFactor::PATH>
                                <FormError error=disable_error/>
                                <button type="submit" class="primary">"Twee-staps-authenticatie uitschakelen"</button>
                            </form>
                        }
                        .into_any(),
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <p><a href="/profiel/instellingen">"Terug naar je instellingen"</a></p>
    }
}
