//! "Onthouden apparaten": the browsers "Onthoud mij" spares the code on, and forgetting them
//! (SEC-19).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::{
    components::loaded,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    lang::tr,
    routes::{DEVICES, SETTINGS},
    settings::reauth::{PasswordAgain, Reauthenticate},
};
#[cfg(feature = "ssr")]
use crate::{request::logged_in, settings::reauth::fresh_password};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::reauth::{self, Window},
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
    use crate::lang::date_time;
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
            name: tweestap_domain::client::describe_in(
                row.user_agent.as_deref(),
                crate::lang::domain(),
            ),
            remembered_at: date_time(row.created_at),
            last_used_at: date_time(row.last_used_at),
            expires_at: date_time(row.expires_at),
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
        <Title text=tr!(settings.devices.title)/>
        <h1>{tr!(settings.devices.title)}</h1>
        <p>{tr!(settings.devices.intro)}</p>
        {loaded(devices, move |Devices { devices, may_change }| {
            let (password_error, forget_error) = errors;
            if devices.is_empty() {
                return view! { <p>{tr!(settings.devices.none)}</p> }.into_any();
            }
            view! {
                {(!may_change).then(|| view! { <PasswordAgain next=DEVICES error=password_error/> })}
                <FormError error=forget_error/>
                <table class="log">
                    <thead>
                        <tr>
                            <th scope="col">{tr!(settings.devices.device)}</th>
                            <th scope="col">{tr!(settings.devices.remembered_at)}</th>
                            <th scope="col">{tr!(settings.devices.last_used)}</th>
                            <th scope="col">{tr!(settings.devices.expires_at)}</th>
                            <th scope="col"><span class="visually-hidden">{tr!(settings.devices.action)}</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {devices.into_iter().map(|device| view! {
                            <tr>
                                <td>{device.name.clone()}{device.this_browser.then(|| format!(" {}", tr!(settings.devices.this_browser)))}</td>
                                <td>{device.remembered_at}</td>
                                <td>{device.last_used_at}</td>
                                <td>{device.expires_at}</td>
                                <td>
                                    {may_change.then(|| view! {
                                        <ActionForm action={action::<ForgetDevices>()}>
                                            <input type="hidden" name="device" value=device.id/>
                                            <button type="submit" class="link" aria-label=tr!(settings.devices.forget_named, name = device.name.clone()).to_string()>{tr!(settings.devices.forget)}</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {may_change.then(|| view! {
                    <ActionForm action={action::<ForgetDevices>()}>
                        <button type="submit" class="secondary">{tr!(settings.devices.forget_all)}</button>
                    </ActionForm>
                })}
            }
            .into_any()
        })}
        <p><a href=SETTINGS>{tr!(settings.back_to_settings)}</a></p>
    }
}
