//! Managing two-step authentication from the settings: a new set of recovery codes (SEC-13),
//! behind the password entered again within the last few minutes (SEC-20).

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::SaveRecoveryCodes;
use crate::error::{AppError, FormError, form_error};

pub const RECOVERY_CODES_PAGE: &str = "/profiel/herstelcodes";
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
fn password_fresh(
    ctx: &crate::context::AppContext,
    session: &crate::auth::session::ActiveSession,
) -> bool {
    session
        .password_confirmed_at
        .is_some_and(|at| ctx.now() - at < chrono::Duration::minutes(REAUTH_MINUTES))
}

#[cfg(feature = "ssr")]
fn logged_in() -> Result<
    (
        crate::context::AppContext,
        crate::auth::Viewer,
        crate::auth::session::ActiveSession,
    ),
    AppError,
> {
    let ctx = crate::context::AppContext::current()?;
    let viewer = crate::auth::Viewer::current();
    let session = viewer.session.clone().ok_or(AppError::NotLoggedIn)?;
    Ok((ctx, viewer, session))
}

#[server(endpoint = "recovery_codes_state")]
pub async fn recovery_codes_state() -> Result<RecoveryCodesStep, AppError> {
    use super::service;
    let (ctx, _, session) = logged_in()?;
    let Some(row) = service::factor(&ctx, session.user.id)
        .await?
        .filter(|row| row.enabled_at.is_some())
    else {
        return Ok(RecoveryCodesStep::Off);
    };
    if let Some(codes) = service::pending_codes(&ctx, &row) {
        return Ok(RecoveryCodesStep::Show { codes });
    }
    if !password_fresh(&ctx, &session) {
        return Ok(RecoveryCodesStep::Password);
    }
    Ok(RecoveryCodesStep::Confirm {
        left: service::recovery_codes_left(&ctx, session.user.id).await?,
    })
}

/// The password again, for the changes in the settings.
#[server(endpoint = "reauthenticate")]
pub async fn reauthenticate(password: String) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    let password = crate::auth::password::Password::for_login(password)?;
    let email = crate::auth::email::Email::parse(&session.user.email)?;
    if crate::auth::users::check_password(&ctx, &email, &password)
        .await
        .is_err()
    {
        tracing::info!(user_id = session.user.id, "password confirmation refused");
        return Err(AppError::WrongPassword);
    }
    crate::auth::session::confirm_password(&ctx, session.id)
        .await
        .map_err(crate::context::internal)?;
    leptos_axum::redirect(RECOVERY_CODES_PAGE);
    Ok(())
}

/// "Herstelcodes opnieuw aanmaken": the whole previous set stops working (SEC-13).
#[server(endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes() -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    if !password_fresh(&ctx, &session) {
        return Err(AppError::PasswordConfirmationNeeded);
    }
    super::service::regenerate_recovery_codes(&ctx, session.user.id).await?;
    crate::security::log::record(
        &ctx,
        session.user.id,
        crate::security::log::Event::RecoveryCodesRegenerated,
        None,
        Some(&viewer.client),
    )
    .await?;
    leptos_axum::redirect(RECOVERY_CODES_PAGE);
    Ok(())
}

/// "Gedaan": the new codes are no longer kept anywhere but as hashes.
#[server(endpoint = "recovery_codes_done")]
pub async fn recovery_codes_done(saved: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
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
                            <form method="post" action=Reauthenticate::PATH class="narrow">
                                <p>"Vul voor de zekerheid eerst je wachtwoord opnieuw in."</p>
                                <div class="field">
                                    <label for="password">"Wachtwoord"</label>
                                    <input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required autofocus/>
                                </div>
                                <FormError error=password_error/>
                                <button type="submit" class="primary">"Doorgaan"</button>
                            </form>
                        }
                        .into_any(),
                        Ok(RecoveryCodesStep::Confirm { left }) => view! {
                            <p>"Je hebt nog " {left} " herstelcodes over. Maak je een nieuwe set aan, dan werken de huidige herstelcodes niet meer, ook de ongebruikte niet."</p>
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
