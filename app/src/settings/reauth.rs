//! The password entered again for the settings' changes and the helpdesk's actions (SEC-20).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::request::{Viewer, confirm_password, logged_in};
#[cfg(feature = "ssr")]
use crate::routes::{DEVICES, DISABLE, HELPDESK, METHOD, PASSKEYS, RECOVERY_CODES, safe_next};
use crate::{
    error::{AppError, FormError},
    forms::action,
    lang::tr,
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    Context,
    accounts::{
        reauth::{self, Window},
        session::{ActiveSession, SessionStage},
    },
};

/// A session that may change a setting now: past the second step, with the password entered
/// within the last few minutes (SEC-20).
#[cfg(feature = "ssr")]
pub(crate) fn fresh_password() -> Result<(Context, Viewer, ActiveSession), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    if session.stage != SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    reauth::require(&ctx, &session, Window::Settings)?;
    Ok((ctx, viewer, session))
}

/// The password again, for the changes in the settings; back to the page that asked.
#[server(prefix = "/api/methode", endpoint = "reauthenticate")]
pub async fn reauthenticate(password: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    confirm_password(&ctx, &viewer, &session, password).await?;
    let back = match next.as_deref() {
        Some(DEVICES) => DEVICES.to_owned(),
        Some(DISABLE) => DISABLE.to_owned(),
        Some(METHOD) => METHOD.to_owned(),
        Some(PASSKEYS) => PASSKEYS.to_owned(),
        // The helpdesk's pages, for an admin's reset or unlock.
        Some(path) if path.starts_with(HELPDESK) => safe_next(Some(path)),
        _ => RECOVERY_CODES.to_owned(),
    };
    leptos_axum::redirect(&back);
    Ok(())
}

/// The password form that opens the settings' changes for a few minutes (SEC-20).
#[component]
pub(crate) fn PasswordAgain(
    #[prop(into)] next: String,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <ActionForm action={action::<Reauthenticate>()} attr:class="narrow">
            <p>{tr!(settings.reauth.intro)}</p>
            <input type="hidden" name="next" value=next/>
            <div class="field">
                <label for="password">{tr!(settings.reauth.password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required/>
            </div>
            <FormError error/>
            <button type="submit" class="primary">{tr!(settings.proceed)}</button>
        </ActionForm>
    }
}
