//! "Onthouden apparaten": the browsers "Onthoud mij" spares the code on, and forgetting them
//! (SEC-19).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::{
    components::loaded,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    routes::{DEVICES, SETTINGS},
    settings::reauth::{PasswordAgain, Reauthenticate},
};
#[cfg(feature = "ssr")]
use crate::{request::logged_in, settings::reauth::fresh_password};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::reauth::{self, Window},
    time,
    twofactor::remembered,
};

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

#[server(prefix = "/api/ingelogd", endpoint = "remembered_devices")]
pub async fn remembered_devices() -> Result<Devices, AppError> {
    use time::format_dutch;
    let (ctx, viewer, session) = logged_in()?;
    let this = viewer
        .remembered
        .as_deref()
        .and_then(remembered::RememberToken::from_cookie);
    let devices = remembered::remembered_devices(&ctx, session.user.id)
        .await?
        .into_iter()
        .map(|row| Device {
            id: row.id,
            name: tweestap_domain::client::describe(row.user_agent.as_deref()),
            remembered_at: format_dutch(row.created_at),
            last_used_at: format_dutch(row.last_used_at),
            expires_at: format_dutch(row.expires_at),
            this_browser: this.as_ref().is_some_and(|token| token.is(&row.token_hash)),
        })
        .collect();
    Ok(Devices {
        devices,
        may_change: reauth::is_fresh(&ctx, &session, Window::Settings),
    })
}

/// "Vergeten" for one browser (`device`), or "Alle apparaten vergeten" (none given). Only the
/// user's own; the password must be fresh (SEC-20).
#[server(prefix = "/api/ingelogd", endpoint = "forget_devices")]
pub async fn forget_devices(device: Option<i32>) -> Result<(), AppError> {
    let (ctx, viewer, session) = fresh_password()?;
    remembered::forget_devices(&ctx, session.user.id, device, Some(&viewer.client)).await?;
    leptos_axum::redirect(DEVICES);
    Ok(())
}

/// Profile -> Instellingen -> "Onthouden apparaten".
#[component]
pub fn DevicesPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let devices = Resource::new(refreshed, |_| remembered_devices());
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<ForgetDevices>(),
    );
    view! {
        <Title text="Onthouden apparaten"/>
        <h1>"Onthouden apparaten"</h1>
        <p>"Op deze apparaten heb je bij het inloggen 'Onthoud mij' aangevinkt: daar wordt tijdelijk niet om een authenticatie-code gevraagd. Vergeet een apparaat dat je niet (meer) gebruikt of niet herkent."</p>
        {loaded(devices, move |Devices { devices, may_change }| {
            let (password_error, forget_error) = errors;
            if devices.is_empty() {
                return view! { <p>"Er zijn geen onthouden apparaten."</p> }.into_any();
            }
            view! {
                {(!may_change).then(|| view! { <PasswordAgain next=DEVICES error=password_error/> })}
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
                                        <ActionForm action={action::<ForgetDevices>()}>
                                            <input type="hidden" name="device" value=device.id/>
                                            <button type="submit" class="link" aria-label=format!("{} vergeten", device.name)>"Vergeten"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {may_change.then(|| view! {
                    <ActionForm action={action::<ForgetDevices>()}>
                        <button type="submit" class="secondary">"Alle apparaten vergeten"</button>
                    </ActionForm>
                })}
            }
            .into_any()
        })}
        <p><a href=SETTINGS>"Terug naar je instellingen"</a></p>
    }
}
