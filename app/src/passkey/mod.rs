//! Passkeys and security keys in the pages: adding one (in the wizard and in the settings), its
//! name, and the second step at login with one. The ceremony's state stays on the server
//! (SEC-33); the browser only answers the challenge it was given.

#[cfg(feature = "hydrate")]
pub mod browser;
pub mod sign_in;

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use crate::{
    components::remember::RememberMe,
    error::{AppError, FormError},
    forms::{action, form_error},
    lang::tr,
};
#[cfg(feature = "ssr")]
use crate::{
    components::remember::chosen_length,
    request::{Viewer, complete_session, context, logged_in, request_cookie, set_cookie},
    routes::safe_next,
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    Context,
    accounts::{
        reauth::{self, Window},
        session::{ActiveSession, SessionStage},
    },
    twofactor::{factor, passkey, passkey_sign_in, passkey_steps, policy},
};

/// A passkey just added, for the user to name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPasskey {
    pub id: i32,
    /// The suggested name: the authenticator's, where its AAGUID is known.
    pub name: String,
}

/// A session that may add a passkey: past every step, with the password entered again (in the
/// wizard, or for the settings), on an installation that offers passkeys. Says whether two-step
/// authentication is on already (the settings) or not (the wizard).
#[cfg(feature = "ssr")]
async fn may_add() -> Result<(Context, Viewer, ActiveSession, bool), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    if session.stage != SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    let enabled = factor::is_enabled(&ctx, session.user.id).await?;
    let window = if enabled {
        Window::Settings
    } else {
        Window::Wizard
    };
    reauth::require(&ctx, &session, window)?;
    if !passkey::available(&ctx) {
        return Err(AppError::PasskeyUnavailable);
    }
    Ok((ctx, viewer, session, enabled))
}

/// The options for `navigator.credentials.create()`; the challenge stays on the server.
#[server(prefix = "/api/instellen", endpoint = "passkey_registration_options")]
pub async fn passkey_registration_options() -> Result<CreationChallengeResponse, AppError> {
    let (ctx, _, session, _) = may_add().await?;
    Ok(passkey::start_registration(&ctx, &session.user, session.id).await?)
}

/// The browser's new passkey. In the wizard it switches two-step authentication on (with
/// recovery codes, and a new session id, SEC-03); in the settings it is one more passkey. It
/// gets the authenticator's name where that is known, which the user changes next.
#[server(prefix = "/api/instellen", endpoint = "passkey_register", input = Json)]
pub async fn passkey_register(answer: RegisterPublicKeyCredential) -> Result<NewPasskey, AppError> {
    let (ctx, viewer, session, enabled) = may_add().await?;
    let name = match passkey::suggested_name(&answer) {
        Some(name) => name.to_owned(),
        None => {
            let date = crate::lang::date(policy::local_date(ctx.now()));
            tr!(login.passkey.default_name, date = date).to_string()
        }
    };
    let client = Some(&viewer.client);
    let key = if enabled {
        passkey::finish_registration(&ctx, &session.user, session.id, &answer, &name, client)
            .await?
    } else {
        let key =
            passkey_steps::enrol(&ctx, &session.user, session.id, &answer, &name, client).await?;
        complete_session(
            &ctx,
            &viewer,
            &session,
            tweestap_domain::accounts::session::Assurance::Passkey,
        )
        .await?;
        key
    };
    Ok(NewPasskey {
        id: key.id,
        name: key.name,
    })
}

/// A new name for one of the user's own passkeys.
#[server(prefix = "/api/instellen", endpoint = "passkey_rename")]
pub async fn passkey_rename(id: i32, name: String) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    if session.stage != SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    passkey::rename(&ctx, session.user.id, id, &name).await?;
    Ok(())
}

/// The options for `navigator.credentials.get()` at the second step: this user's passkeys.
#[server(prefix = "/api/tweede-stap", endpoint = "passkey_login_options")]
pub async fn passkey_login_options() -> Result<RequestChallengeResponse, AppError> {
    let (ctx, _, session) = logged_in()?;
    if session.stage != SessionStage::PasswordOnly {
        return Err(AppError::Forbidden);
    }
    Ok(passkey::start_authentication(&ctx, session.user.id, session.id).await?)
}

/// The second step with a passkey: the browser's answer completes the login, with "Onthoud
/// mij" as for a code (`remember_hours`: how long, where the page offered a choice).
#[server(prefix = "/api/tweede-stap", endpoint = "passkey_login", input = Json)]
pub async fn passkey_login(
    answer: PublicKeyCredential,
    remember: bool,
    remember_hours: Option<i64>,
    next: Option<String>,
) -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    let remember = chosen_length(&ctx.settings, remember, remember_hours)?;
    let passed =
        passkey_steps::pass_login(&ctx, &session, &answer, remember, &viewer.client).await?;
    if let (Some(token), Some(length)) = (passed.remembered, remember) {
        set_cookie(&token.cookie(length.duration()));
    }
    set_cookie(&passed.session.cookie());
    tracing::info!(
        user_id = session.user.id,
        "second step passed with a passkey"
    );
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// Whether the login page offers passwordless sign-in (`TWEESTAP_PASSKEY_SIGN_IN`).
#[server(prefix = "/api/open", endpoint = "passkey_sign_in_offered")]
pub async fn passkey_sign_in_offered() -> Result<bool, AppError> {
    Ok(passkey_sign_in::offered(&context()?))
}

/// The options for a passwordless sign-in, for the button or the autofill; the ceremony is
/// bound to a nonce in a cookie of its own.
#[server(prefix = "/api/open", endpoint = "passkey_sign_in_options")]
pub async fn passkey_sign_in_options(autofill: bool) -> Result<RequestChallengeResponse, AppError> {
    let ctx = context()?;
    let (options, nonce) = passkey_sign_in::start(&ctx).await?;
    set_cookie(&passkey_sign_in::nonce_cookie(&nonce, autofill));
    Ok(options)
}

/// A passkey alone signs in: a complete session, recorded as such (SEC-34), in place of any
/// session this browser had (SEC-03).
#[server(prefix = "/api/open", endpoint = "passkey_sign_in", input = Json)]
pub async fn passkey_sign_in(
    answer: PublicKeyCredential,
    autofill: bool,
    next: Option<String>,
) -> Result<(), AppError> {
    let ctx = context()?;
    let viewer = Viewer::current();
    let nonce = request_cookie(passkey_sign_in::cookie_name(autofill));
    set_cookie(&passkey_sign_in::nonce_removal_cookie(autofill));
    let (token, _) = passkey_sign_in::finish(&ctx, nonce.as_deref(), &answer, &viewer.client)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::PasskeyRejected => AppError::PasskeySignInRejected,
            other => other,
        })?;
    if let Some(previous) = viewer.session {
        tweestap_domain::accounts::session::end(&ctx, previous.id)
            .await
            .map_err(tweestap_domain::Error::from)?;
    }
    set_cookie(&token.cookie());
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// Whether this browser offers passkeys: false on the server and until the page has its
/// script, so that a choice that cannot work is never shown.
pub fn browser_supports() -> Signal<bool> {
    let supported = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| supported.set(browser::supported()));
    supported.into()
}

/// "Passkey toevoegen": the browser makes the passkey, the server keeps it, and then the user
/// names it. `label` is the button's text.
#[component]
pub fn AddPasskey(label: &'static str) -> impl IntoView {
    let supported = browser_supports();
    let added = RwSignal::new(None::<NewPasskey>);
    let busy = RwSignal::new(false);
    let browser_error = RwSignal::new(None::<AppError>);
    let add = move |_| {
        busy.set(true);
        browser_error.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let result = async {
                let options = passkey_registration_options().await?;
                let answer = browser::create(options).await?;
                passkey_register(answer).await
            }
            .await;
            busy.set(false);
            match result {
                Ok(new) => added.set(Some(new)),
                Err(err) => browser_error.set(Some(err)),
            }
        });
    };
    view! {
        {move || match added.get() {
            Some(new) => view! { <NamePasskey new/> }.into_any(),
            None => view! {
                <div class="add-passkey" hidden=move || !supported.get()>
                    <FormError error=browser_error/>
                    <button type="button" class="primary" on:click=add disabled=move || busy.get()>
                        {move || if busy.get() { tr!(login.passkey.waiting) } else { label }}
                    </button>
                </div>
                <p class="hint" hidden=move || supported.get()>
                    {tr!(login.passkey.add_unsupported)}
                </p>
            }
            .into_any(),
        }}
    }
}

/// The name of a passkey just added, with the suggestion filled in.
#[component]
fn NamePasskey(new: NewPasskey) -> impl IntoView {
    view! {
        <ActionForm action={action::<PasskeyRename>()} attr:class="name-passkey">
            <p class="success" role="status">{tr!(login.passkey.added)}</p>
            <h2>{tr!(login.passkey.name_heading)}</h2>
            <input type="hidden" name="id" value=new.id/>
            <div class="field">
                <label for="passkey-name">{tr!(login.passkey.name)}</label>
                <input id="passkey-name" name="name" type="text" value=new.name maxlength="64" required autofocus aria-describedby="passkey-name-hint"/>
                <p id="passkey-name-hint" class="hint">{tr!(login.passkey.name_hint)}</p>
            </div>
            <FormError error={form_error::<PasskeyRename>()}/>
            <button type="submit" class="primary">{tr!(login.passkey.save)}</button>
        </ActionForm>
    }
}

/// The second step with a passkey: "Onthoud mij" and the button that asks the browser.
#[component]
pub fn PasskeyLogin(next: Option<String>, choices: Vec<i64>) -> impl IntoView {
    let supported = browser_supports();
    let busy = RwSignal::new(false);
    let remember = RwSignal::new(false);
    let length = RwSignal::new(None::<i64>);
    let browser_error = RwSignal::new(None::<AppError>);
    let login = action::<PasskeyLogin>();
    let server_error = form_error::<PasskeyLogin>();
    let error = Signal::derive(move || browser_error.get().or_else(|| server_error.get()));
    let sign_in = move |_| {
        busy.set(true);
        browser_error.set(None);
        #[cfg(feature = "hydrate")]
        {
            let next = next.clone();
            leptos::task::spawn_local(async move {
                let answer = async {
                    let options = passkey_login_options().await?;
                    browser::get(options).await
                }
                .await;
                busy.set(false);
                match answer {
                    Ok(answer) => {
                        login.dispatch(PasskeyLogin {
                            answer,
                            remember: remember.get_untracked(),
                            remember_hours: length.get_untracked(),
                            next,
                        });
                    }
                    Err(err) => browser_error.set(Some(err)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&next, login);
    };
    view! {
        <div class="passkey-login">
            <RememberMe choices spare=tr!(login.passkey.spare) remember length/>
            <FormError error/>
            <button type="button" class="primary" on:click=sign_in disabled=move || busy.get() || login.pending().get() || !supported.get()>
                {move || if busy.get() { tr!(login.passkey.waiting) } else { tr!(login.passkey.login) }}
            </button>
            <p class="hint" hidden=move || supported.get()>
                {tr!(login.passkey.login_unsupported)}
            </p>
        </div>
    }
}

/// What a passkey is, in the manual's tone.
#[component]
pub fn PasskeyExplanation() -> impl IntoView {
    view! {
        <p>
            {tr!(login.passkey.explanation_what)}
        </p>
        <p>
            {tr!(login.passkey.explanation_how)}
        </p>
    }
}
