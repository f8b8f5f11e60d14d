//! "Herstelcodes opnieuw aanmaken": a new set replaces the whole previous one (SEC-13), behind
//! the password entered again (SEC-20).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::Invalid;
use crate::{
    components::factor::SaveRecoveryCodes,
    components::loaded,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    lang::tr,
    routes::{RECOVERY_CODES, SETTINGS},
    settings::reauth::{PasswordAgain, Reauthenticate},
};
#[cfg(feature = "ssr")]
use crate::{request::logged_in, settings::reauth::fresh_password};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::reauth::{self, Window},
    twofactor::{enrolment, factor, recovery_codes},
};

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

#[server(prefix = "/api/ingelogd", endpoint = "recovery_codes_state")]
pub async fn recovery_codes_state() -> Result<RecoveryCodesStep, AppError> {
    let (ctx, _, session) = logged_in()?;
    let Some(row) = factor::factor(&ctx, session.user.id)
        .await?
        .filter(|row| row.enabled_at.is_some())
    else {
        return Ok(RecoveryCodesStep::Off);
    };
    // New codes not yet saved are shown behind the password entered in the last quarter of an
    // hour, as in the wizard: a session found open later cannot read them.
    let pending = recovery_codes::codes_to_show(&ctx, &row, session.id).await?;
    let recent = reauth::is_fresh(&ctx, &session, Window::Wizard);
    Ok(match pending {
        Some(codes) if recent => RecoveryCodesStep::Show { codes },
        _ if !reauth::is_fresh(&ctx, &session, Window::Settings) => RecoveryCodesStep::Password,
        _ => RecoveryCodesStep::Confirm {
            left: recovery_codes::recovery_codes_left(&ctx, session.user.id).await?,
        },
    })
}

/// "Herstelcodes opnieuw aanmaken": the whole previous set stops working (SEC-13).
#[server(prefix = "/api/ingelogd", endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes() -> Result<(), AppError> {
    let (ctx, viewer, session) = fresh_password()?;
    recovery_codes::regenerate_recovery_codes(
        &ctx,
        session.user.id,
        session.id,
        Some(&viewer.client),
    )
    .await?;
    leptos_axum::redirect(RECOVERY_CODES);
    Ok(())
}

/// "Gedaan": the new codes are no longer kept anywhere but as hashes.
#[server(prefix = "/api/ingelogd", endpoint = "recovery_codes_done")]
pub async fn recovery_codes_done(saved: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    if saved.as_deref() != Some("on") {
        return Err(AppError::invalid(Invalid::CodesNotSaved));
    }
    enrolment::finish_enrolment(&ctx, session.user.id).await?;
    leptos_axum::redirect(SETTINGS);
    Ok(())
}

/// Profile -> Instellingen -> "Herstelcodes opnieuw aanmaken".
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let state = Resource::new(refreshed, |_| recovery_codes_state());
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<RegenerateRecoveryCodes>(),
    );
    view! {
        <Title text=tr!(settings.recovery.title)/>
        <h1>{tr!(settings.recovery.title)}</h1>
        {loaded(state, move |step| {
            let (password_error, regenerate_error) = errors;
            match step {
                RecoveryCodesStep::Off => view! {
                    <p>{tr!(settings.recovery.off)}</p>
                    <p><a href=SETTINGS>{tr!(settings.back_to_settings)}</a></p>
                }
                .into_any(),
                RecoveryCodesStep::Password => view! {
                    <PasswordAgain next=RECOVERY_CODES error=password_error/>
                }
                .into_any(),
                RecoveryCodesStep::Confirm { left } => view! {
                    <p>{tr!(settings.recovery.confirm, codes = crate::words::count(left as i64, tr!(settings.counted.recovery_code), tr!(settings.counted.recovery_codes)))}</p>
                    <ActionForm action={action::<RegenerateRecoveryCodes>()}>
                        <FormError error=regenerate_error/>
                        <button type="submit" class="primary">{tr!(settings.recovery.title)}</button>
                    </ActionForm>
                    <p><a href=SETTINGS>{tr!(settings.cancel)}</a></p>
                }
                .into_any(),
                RecoveryCodesStep::Show { codes } => view! {
                    <p class="success" role="status">{tr!(settings.recovery.made)}</p>
                    <SaveRecoveryCodes codes action={action::<RecoveryCodesDone>()}/>
                }
                .into_any(),
            }
        })}
    }
}
