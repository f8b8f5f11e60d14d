//! The introduction a clinician sees after login from the rollout's first day, with
//! "Twee-staps-authenticatie instellen" and, in the optional period, "Niet nu".

use leptos::prelude::*;

use crate::components::NextField;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request::logged_in;
#[cfg(feature = "ssr")]
use crate::routes::safe_next;
use crate::{
    components::{next_from_query, remember::RememberExplanation},
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    routes::{DIALOG_PARAM, WIZARD, with_next},
};
#[cfg(feature = "ssr")]
use tweestap_domain::twofactor::{deferral, policy};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    /// The last day to set it up, "30 juni 2027".
    pub last_day: String,
}

#[server(prefix = "/api/ingelogd", endpoint = "rollout_info")]
pub async fn rollout_info() -> Result<Rollout, AppError> {
    let (ctx, _, _) = logged_in()?;
    Ok(Rollout {
        last_day: ctx.settings.rollout.last_optional_day(),
    })
}

/// "Niet nu": recorded, and on to where the user was going.
#[server(prefix = "/api/ingelogd", endpoint = "not_now")]
pub async fn not_now(next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    if ctx.settings.rollout.phase(ctx.now()) == policy::Phase::Mandatory {
        return Err(AppError::EnrolmentRequired);
    }
    deferral::defer(&ctx, session.user.id).await?;
    tracing::info!(
        user_id = session.user.id,
        "two-step authentication deferred"
    );
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// After the password, during the optional period: the manual's introduction, as a page of its
/// own when the browser runs no script.
#[component]
pub fn IntroPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let next = next_from_query();
    let not_now_error = form_error::<NotNow>();
    let setup = with_next(WIZARD, &next);
    view! {
        <Title text="Introductie van twee-staps-authenticatie"/>
        <section class="card" aria-labelledby="intro-titel">
            <h1 id="intro-titel">"Introductie van twee-staps-authenticatie"</h1>
            <IntroText/>
            <FormError error=not_now_error/>
            <div class="actions">
                <a class="button primary" href=setup>"Twee-staps-authenticatie instellen"</a>
                <ActionForm action={action::<NotNow>()}>
                    <NextField/>
                    <button type="submit" class="secondary">"Niet nu"</button>
                </ActionForm>
            </div>
        </section>
    }
}

/// The introduction as the manual calls it, a notification: a modal dialog over the page the
/// user asked for. Focus moves into it and back after; Escape and "Niet nu" close it, "Niet nu"
/// recording the deferral through its server function.
#[component]
pub fn IntroDialog() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let location = leptos_router::hooks::use_location();
    let open = Memo::new(move |_| {
        query.read().get(DIALOG_PARAM).is_some() && crate::shell::state::current_user().is_some()
    });
    // Where the user was going: this page without the dialog's parameter.
    let here = Memo::new(move |_| {
        let path = location.pathname.get();
        let mut rest = query.get();
        rest.remove(DIALOG_PARAM);
        format!("{path}{}", rest.to_query_string())
    });
    let not_now = ServerAction::<NotNow>::new();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    crate::components::modal_follows(dialog, move || open.get());
    let error = move || {
        not_now
            .value()
            .with(|value| value.as_ref()?.as_ref().err().cloned())
    };
    view! {
        <dialog
            node_ref=dialog
            class="intro-dialog"
            aria-labelledby="intro-dialoog-titel"
            on:cancel=move |event: leptos::ev::Event| {
                // Escape is "Niet nu".
                event.prevent_default();
                not_now.dispatch(NotNow { next: Some(here.get_untracked()) });
            }
        >
            {move || open.get().then(|| view! {
                <h1 id="intro-dialoog-titel">"Introductie van twee-staps-authenticatie"</h1>
                <IntroText/>
                <FormError error=Signal::derive(error)/>
                <div class="actions">
                    <a class="button primary" href=move || with_next(WIZARD, &Some(here.get()))>
                        "Twee-staps-authenticatie instellen"
                    </a>
                    <ActionForm action=not_now>
                        <input type="hidden" name="next" value=move || here.get()/>
                        <button type="submit" class="secondary">"Niet nu"</button>
                    </ActionForm>
                </div>
            })}
        </dialog>
    }
}

/// The manual's introduction: what it is, how it works, why it is safer, and the last day.
#[component]
fn IntroText() -> impl IntoView {
    let info = Resource::new(refreshed, |_| rollout_info());
    view! {
        <p>
            "Twee-staps-authenticatie biedt een extra beveiligingslaag voor jouw account. Zo heb alleen jij toegang tot je account, zelfs wanneer iemand achter je wachtwoord is gekomen. Instellen duurt maar één minuut."
        </p>
        <h2>"Hoe werkt het?"</h2>
        <p>
            "Na het inloggen met je e-mailadres en wachtwoord word je om een authenticatie-code gevraagd. Deze wordt via SMS verstuurd of aangemaakt in een authenticatie-applicatie op je mobiele telefoon."
        </p>
        <h2>"Waarom is dit veiliger?"</h2>
        <p>
            "Omdat alleen jij toegang tot je mobiele telefoon hebt, kan iemand die achter je wachtwoord is gekomen nog steeds niet bij je account. Met andere woorden, om bij je account te komen heb je niet alleen iets nodig wat alleen jij weet (je wachtwoord), maar ook iets wat alleen jij hebt (je mobiele telefoon)."
        </p>
        <h2>"Moet ik dat iedere keer gebruiken?"</h2>
        <RememberExplanation/>
        <p>
            "Als je het niet nu wilt instellen, kun je twee-staps-authenticatie altijd onder je instellingen terugvinden."
        </p>
        <Transition>
            {move || Suspend::new(async move {
                info.await.ok().map(|info| view! {
                    <p class="deadline">
                        <strong>"Stel het uiterlijk " {info.last_day} " in."</strong>
                        " Daarna is twee-staps-authenticatie verplicht."
                    </p>
                })
            })}
        </Transition>
    }
}
