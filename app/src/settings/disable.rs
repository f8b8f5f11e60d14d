//! "Twee-staps-authenticatie uitschakelen": only outside the mandatory period, behind the
//! password entered again (SEC-20).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request::logged_in;
use crate::{
    components::loaded,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    lang::tr,
    routes::{DISABLE, SETTINGS},
    settings::reauth::{PasswordAgain, Reauthenticate},
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::reauth::{self, Window},
    twofactor::{disable, factor},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisableStep {
    /// Nothing to switch off.
    Off,
    /// The mandatory period: it stays on.
    Mandatory,
    Password,
    Confirm,
}

#[server(prefix = "/api/ingelogd", endpoint = "disable_state")]
pub async fn disable_state() -> Result<DisableStep, AppError> {
    let (ctx, _, session) = logged_in()?;
    Ok(if !factor::is_enabled(&ctx, session.user.id).await? {
        DisableStep::Off
    } else if ctx.settings.rollout.phase(ctx.now())
        == tweestap_domain::twofactor::policy::Phase::Mandatory
    {
        DisableStep::Mandatory
    } else if !reauth::is_fresh(&ctx, &session, Window::Settings) {
        DisableStep::Password
    } else {
        DisableStep::Confirm
    })
}

/// "Twee-staps-authenticatie uitschakelen": only while it is not mandatory, with the password
/// entered in the last 5 minutes (SEC-20). Logged.
#[server(prefix = "/api/ingelogd", endpoint = "disable_two_factor")]
pub async fn disable_two_factor() -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    if ctx.settings.rollout.phase(ctx.now()) == tweestap_domain::twofactor::policy::Phase::Mandatory
    {
        return Err(AppError::TwoFactorMandatory);
    }
    reauth::require(&ctx, &session, Window::Settings)?;
    disable::disable_two_factor(&ctx, session.user.id, Some(&viewer.client)).await?;
    leptos_axum::redirect(SETTINGS);
    Ok(())
}

/// Profile -> Instellingen -> "Twee-staps-authenticatie uitschakelen".
#[component]
pub fn DisablePage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let state = Resource::new(refreshed, |_| disable_state());
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<DisableTwoFactor>(),
    );
    view! {
        <Title text=tr!(settings.disable.title)/>
        <h1>{tr!(settings.disable.title)}</h1>
        {loaded(state, move |step| {
            let (password_error, disable_error) = errors;
            match step {
                DisableStep::Off => view! {
                    <p>{tr!(settings.disable.already_off)}</p>
                }
                .into_any(),
                DisableStep::Mandatory => view! {
                    <p>{AppError::TwoFactorMandatory.to_string()}</p>
                }
                .into_any(),
                DisableStep::Password => view! {
                    <PasswordAgain next=DISABLE error=password_error/>
                }
                .into_any(),
                DisableStep::Confirm => view! {
                    <p>{tr!(settings.disable.warning)}</p>
                    <ActionForm action={action::<DisableTwoFactor>()}>
                        <FormError error=disable_error/>
                        <button type="submit" class="primary">{tr!(settings.disable.title)}</button>
                    </ActionForm>
                }
                .into_any(),
            }
        })}
        <p><a href=SETTINGS>{tr!(settings.back_to_settings)}</a></p>
    }
}
