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
        <Title text="Wachtwoord wijzigen"/>
        <h1>"Wachtwoord wijzigen"</h1>
        {move || if changed() {
            view! {
                <p class="success" role="status">
                    "Je wachtwoord is gewijzigd. Op je andere apparaten ben je uitgelogd, en onthouden apparaten vragen weer om een authenticatie-code."
                </p>
                <p><a href=SETTINGS>"Terug naar je instellingen"</a></p>
            }
            .into_any()
        } else {
            view! {
                <p>"Kies een wachtwoord van minstens 10 tekens dat je nergens anders gebruikt. Na het wijzigen word je op je andere apparaten uitgelogd, en vragen onthouden apparaten weer om een authenticatie-code."</p>
                <ActionForm action={action::<ChangePassword>()} attr:class="narrow">
                    <div class="field">
                        <label for="current">"Huidig wachtwoord"</label>
                        <input id="current" name="current" type="password" autocomplete="current-password" maxlength="256" required/>
                    </div>
                    <div class="field">
                        <label for="new">"Nieuw wachtwoord"</label>
                        <input id="new" name="new" type="password" autocomplete="new-password" minlength="10" maxlength="256" required/>
                    </div>
                    <div class="field">
                        <label for="repeat">"Herhaal het nieuwe wachtwoord"</label>
                        <input id="repeat" name="repeat" type="password" autocomplete="new-password" minlength="10" maxlength="256" required/>
                    </div>
                    <FormError error/>
                    <button type="submit" class="primary">"Wachtwoord wijzigen"</button>
                </ActionForm>
                <p><a href=SETTINGS>"Annuleren"</a></p>
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
            <h2 id="tegel-wachtwoord">"Wachtwoord"</h2>
            <p>"Wijzig je wachtwoord. Je hebt je huidige wachtwoord daarvoor nodig."</p>
            <a class="button secondary" href=CHANGE_PASSWORD>"Wachtwoord wijzigen"</a>
        </section>
    }
}
