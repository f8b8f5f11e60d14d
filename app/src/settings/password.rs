//! Profile -> Instellingen -> "Wachtwoord wijzigen": with the current password. The change ends
//! the user's other sessions and forgets every remembered browser (SEC-19), and is logged
//! (SEC-21).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[cfg(feature = "ssr")]
use crate::error::Invalid;
#[cfg(feature = "ssr")]
use crate::request::{Viewer, context, set_cookie};
use crate::{
    error::{AppError, FormError},
    forms::{action, form_error},
    lang::tr,
    routes::{CHANGE_PASSWORD, SETTINGS},
};

/// The page's address after a change, so that it can say so.
const CHANGED: &str = "gewijzigd";

#[server(prefix = "/api/ingelogd", endpoint = "change_password")]
pub async fn change_password(current: String, new: String, repeat: String) -> Result<(), AppError> {
    use tweestap_domain::accounts::{password::Password, reauth, users};
    let ctx = context()?;
    let viewer = Viewer::current();
    let active = viewer.session.clone().ok_or(AppError::NotLoggedIn)?;
    // Reported only once the current password is known to be right: no oracle for it.
    let unchanged = new == current;
    let current = Password::for_login(current)?;
    if new != repeat {
        return Err(AppError::invalid(Invalid::NewPasswordsDiffer));
    }
    let new = Password::new_password(new)?;
    // Counted by the limits on password guessing like every other password (SEC-25).
    reauth::check(&ctx, &active, &current, &viewer.client).await?;
    if unchanged {
        return Err(AppError::invalid(Invalid::PasswordUnchanged));
    }
    // A new session id after the re-authentication (SEC-03); the password counts as just
    // entered for the settings' other changes (SEC-20).
    if let Some(token) = users::change_password(&ctx, &active, &new, Some(&viewer.client)).await? {
        set_cookie(&token.cookie());
    }
    leptos_axum::redirect(&format!("{CHANGE_PASSWORD}?{CHANGED}=ja"));
    Ok(())
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let query = use_query_map();
    let changed = move || query.read().get(CHANGED).is_some();
    let error = form_error::<ChangePassword>();
    view! {
        <Title text=tr!(settings.password.title)/>
        <h1>{tr!(settings.password.title)}</h1>
        {move || if changed() {
            view! {
                <p class="success" role="status">
                    {tr!(settings.password.changed)}
                </p>
                <p><a href=SETTINGS>{tr!(settings.back_to_settings)}</a></p>
            }
            .into_any()
        } else {
            view! {
                <p>{tr!(settings.password.intro)}</p>
                <ActionForm action={action::<ChangePassword>()} attr:class="narrow">
                    <div class="field">
                        <label for="current">{tr!(settings.password.current)}</label>
                        <input id="current" name="current" type="password" autocomplete="current-password" maxlength="256" required/>
                    </div>
                    <div class="field">
                        <label for="new">{tr!(settings.password.new)}</label>
                        <input id="new" name="new" type="password" autocomplete="new-password" minlength="10" maxlength="256" required/>
                    </div>
                    <div class="field">
                        <label for="repeat">{tr!(settings.password.repeat)}</label>
                        <input id="repeat" name="repeat" type="password" autocomplete="new-password" minlength="10" maxlength="256" required/>
                    </div>
                    <FormError error/>
                    <button type="submit" class="primary">{tr!(settings.password.title)}</button>
                </ActionForm>
                <p><a href=SETTINGS>{tr!(settings.cancel)}</a></p>
            }
            .into_any()
        }}
    }
}

/// Profile -> Instellingen: the tile that leads to the page.
#[component]
pub fn PasswordTile() -> impl IntoView {
    view! {
        <section class="tile" aria-labelledby="tegel-wachtwoord">
            <h2 id="tegel-wachtwoord">{tr!(settings.password.tile_title)}</h2>
            <p>{tr!(settings.password.tile_text)}</p>
            <a class="button secondary" href=CHANGE_PASSWORD>{tr!(settings.password.title)}</a>
        </section>
    }
}
