//! Logging in and out: the login page with email and password, then the second step.

use leptos::prelude::*;

use crate::components::NextField;
use leptos_meta::Title;

use crate::{
    error::{AppError, FormError},
    forms::{action, form_error},
};
#[cfg(feature = "ssr")]
use crate::request::{Viewer, context, set_cookie};
#[cfg(feature = "ssr")]
use crate::routes::{CODE, INTRO, LOGIN, WIZARD, query_value, safe_next};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::{login::log_in, session},
    twofactor::second_step::AfterPassword,
};

pub mod code;
pub mod recovery;

/// The password step. On success the session cookie is replaced and the browser goes to
/// `next` (a path on this site) or home.
#[server(endpoint = "login")]
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
#[server(endpoint = "logout")]
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
    // A plain form: the server answers with a redirect onwards, or back here with the error.
    let error = form_error::<Login>();

    view! {
        <Title text="Inloggen"/>
        <section class="card narrow" aria-labelledby="inloggen-titel">
            <h1 id="inloggen-titel">"Inloggen"</h1>
            <p>"Log in met je e-mailadres en wachtwoord."</p>
            <ActionForm action={action::<Login>()}>
                <NextField/>
                <div class="field">
                    <label for="email">"E-mailadres"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        maxlength="254"
                        required
                    />
                </div>
                <div class="field">
                    <label for="password">"Wachtwoord"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        maxlength="256"
                        required
                    />
                </div>
                <FormError error/>
                <button type="submit" class="primary">
                    "Inloggen"
                </button>
            </ActionForm>
        </section>
    }
}
