//! Logging in and out: the login page with email and password, then the second step.

use leptos::prelude::*;

use crate::{components::NextField, lang::tr};
use leptos_meta::Title;

#[cfg(feature = "ssr")]
use crate::request::{Viewer, context, set_cookie};
#[cfg(feature = "ssr")]
use crate::routes::{CODE, INTRO, LOGIN, WIZARD, query_value, safe_next};
use crate::{
    error::{AppError, FormError},
    forms::{action, form_error},
    routes::{NOTICE_PARAM, NOTICE_SECOND_STEP_EXPIRED},
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::{login::log_in, session},
    twofactor::second_step::AfterPassword,
};

pub mod code;
pub mod recovery;

/// The password step. On success the session cookie is replaced and the browser goes to
/// `next` (a path on this site) or home.
#[server(prefix = "/api/open", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let ctx = context()?;
    let viewer = Viewer::current();
    let (token, after) = log_in(
        &ctx,
        viewer.session.as_ref(),
        &email,
        password,
        &viewer.client,
        viewer.remembered.as_deref(),
    )
    .await?;
    set_cookie(&token.cookie());
    let next = safe_next(next.as_deref());
    // From the script, the introduction opens as a dialog over the page asked for.
    if matches!(after, AfterPassword::Introduction) && crate::request::from_script() {
        let separator = if next.contains('?') { '&' } else { '?' };
        let dialog = crate::routes::DIALOG_PARAM;
        leptos_axum::redirect(&format!("{next}{separator}{dialog}=ja"));
        return Ok(());
    }
    let page = match after {
        AfterPassword::Done => None,
        AfterPassword::SecondStep => Some(CODE),
        AfterPassword::Introduction => Some(INTRO),
        AfterPassword::Enrol => Some(WIZARD),
    };
    let to = match page {
        None => next,
        Some(page) if next == "/" => page.to_owned(),
        Some(page) => format!("{page}?volgende={}", query_value(&next)),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// Ends the session on the server and sends the browser to the login page.
#[server(prefix = "/api/open", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = context()?;
    if let Some(session) = Viewer::current().session {
        session::end(&ctx, session.id)
            .await
            .map_err(tweestap_domain::Error::from)?;
        tracing::info!(user_id = session.user.id, "logged out");
    }
    set_cookie(&session::removal_cookie());
    leptos_axum::redirect(LOGIN);
    Ok(())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    // Without the script the server answers with a redirect onwards, or back here with the error;
    // with it the same function is called and the error appears here without a page load.
    let login = action::<Login>();
    let error = form_error::<Login>();
    let email = NodeRef::<leptos::html::Input>::new();
    let remember = NodeRef::<leptos::html::Input>::new();
    // The address this browser remembers, if the user asked for it (never a password).
    let remembered = RwSignal::new(None::<String>);
    // Only into an empty field: what the user typed while the app was loading stays.
    Effect::new(move |_| {
        let Some(address) = stored_email() else {
            return;
        };
        if let Some(field) = email.get_untracked() {
            if !field.value().is_empty() {
                return;
            }
            field.set_value(&address);
        }
        if let Some(check) = remember.get_untracked() {
            check.set_checked(true);
        }
        remembered.set(Some(address));
    });
    // On every attempt, the choice is kept or forgotten with the address typed.
    Effect::new(move |_| {
        let Some(input) = login.input().get() else {
            return;
        };
        let keep = remember
            .get_untracked()
            .is_some_and(|check| check.checked());
        store_email(keep.then_some(input.email.as_str()));
    });
    let other_account = move |_| {
        store_email(None);
        remembered.set(None);
        if let Some(check) = remember.get_untracked() {
            check.set_checked(false);
        }
        if let Some(field) = email.get_untracked() {
            field.set_value("");
            let _ = field.focus();
        }
    };

    // Why the browser was sent here, if the address says (SEC-30).
    let query = leptos_router::hooks::use_query_map();
    let notice = move || {
        (query.read().get(NOTICE_PARAM).as_deref() == Some(NOTICE_SECOND_STEP_EXPIRED))
            .then(|| AppError::SecondStepExpired.to_string())
    };

    view! {
        <Title text=tr!(login.title)/>
        <section class="card narrow" aria-labelledby="inloggen-titel">
            <h1 id="inloggen-titel">{tr!(login.title)}</h1>
            <crate::shell::language::LanguageSwitch/>
            {move || notice().map(|text| view! { <p class="warning" role="status">{text}</p> })}
            <p>{tr!(login.intro)}</p>
            <ActionForm action=login>
                <NextField/>
                <div class="field">
                    <label for="email">{tr!(login.email)}</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username webauthn"
                        maxlength="254"
                        required
                        node_ref=email
                    />
                </div>
                {move || remembered.get().map(|address| view! {
                    <p class="remembered">
                        {tr!(login.remembered)} " " <strong>{address}</strong> " "
                        <button type="button" class="link" on:click=other_account>{tr!(login.other_account)}</button>
                    </p>
                })}
                <div class="field">
                    <label for="password">{tr!(login.password)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        maxlength="256"
                        required
                    />
                </div>
                // No name: the choice stays in this browser and is not sent to the server.
                <div class="check">
                    <input id="onthoud-email" type="checkbox" node_ref=remember/>
                    <label for="onthoud-email">{tr!(login.remember_email)}</label>
                </div>
                <FormError error/>
                <button type="submit" class="primary">
                    {tr!(login.submit)}
                </button>
            </ActionForm>
            <crate::passkey::sign_in::PasswordlessSignIn/>
        </section>
    }
}

/// The e-mail address remembered in this browser's localStorage (SEC-27: an address only).
fn stored_email() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage as _};
        LocalStorage::get::<String>(crate::local_storage::EMAIL_KEY).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

fn store_email(address: Option<&str>) {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage as _};
        match address {
            Some(address) => {
                let _ = LocalStorage::set(crate::local_storage::EMAIL_KEY, address);
            }
            None => LocalStorage::delete(crate::local_storage::EMAIL_KEY),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = address;
}
