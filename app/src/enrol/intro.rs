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
    lang::tr,
    routes::{DIALOG_PARAM, WIZARD, with_next},
};
#[cfg(feature = "ssr")]
use tweestap_domain::twofactor::{deferral, policy};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    /// The last day to set it up in the page's language, "30 juni 2027".
    pub last_day: String,
}

#[server(prefix = "/api/ingelogd", endpoint = "rollout_info")]
pub async fn rollout_info() -> Result<Rollout, AppError> {
    let (ctx, _, _) = logged_in()?;
    Ok(Rollout {
        last_day: crate::lang::date(ctx.settings.rollout.last_optional_day()),
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
        <Title text=tr!(enrol.intro.title)/>
        <section class="card" aria-labelledby="intro-titel">
            <h1 id="intro-titel">{tr!(enrol.intro.title)}</h1>
            <IntroText/>
            <FormError error=not_now_error/>
            <div class="actions">
                <a class="button primary" href=setup>{tr!(enrol.intro.set_up)}</a>
                <ActionForm action={action::<NotNow>()}>
                    <NextField/>
                    <button type="submit" class="secondary">{tr!(enrol.intro.not_now)}</button>
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
                <Suspense>
                    {move || Suspend::new(send_wrapper::SendWrapper::new(dialog_content(here, not_now)))}
                </Suspense>
            })}
        </dialog>
    }
}

/// The dialog's content, whose code (the introduction's texts in both languages, its form, the
/// rollout's last day, "Onthoud mij" explained) is a chunk of its own: the first load of every
/// page carries only the empty dialog, and the content is fetched when it opens, with the
/// retries of a lazy page. Rendered whole on the server, so a page loaded with the dialog open
/// hydrates it.
async fn dialog_content(here: Memo<String>, not_now: ServerAction<NotNow>) -> AnyView {
    #[cfg(feature = "hydrate")]
    {
        let address = crate::chunk::wanted_address();
        crate::chunk::load_or_leave(|| intro_dialog(here, not_now), &address).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        intro_dialog(here, not_now)
            .unwrap_or_else(|_| crate::chunk::leave(&crate::chunk::wanted_address()))
    }
}

#[cfg_attr(
    feature = "hydrate",
    ::leptos::wasm_split::wasm_split(intro_dialog, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn intro_dialog(
    here: Memo<String>,
    not_now: ServerAction<NotNow>,
) -> Result<AnyView, crate::chunk::ChunkFailed> {
    #[cfg(not(feature = "hydrate"))]
    ::leptos::prefetch_lazy_fn_on_server("intro_dialog");
    let error = move || {
        not_now
            .value()
            .with(|value| value.as_ref()?.as_ref().err().cloned())
    };
    Ok(view! {
        <h1 id="intro-dialoog-titel">{tr!(enrol.intro.title)}</h1>
        <IntroText/>
        <FormError error=Signal::derive(error)/>
        <div class="actions">
            <a class="button primary" href=move || with_next(WIZARD, &Some(here.get()))>
                {tr!(enrol.intro.set_up)}
            </a>
            <ActionForm action=not_now>
                <input type="hidden" name="next" value=move || here.get()/>
                <button type="submit" class="secondary">{tr!(enrol.intro.not_now)}</button>
            </ActionForm>
        </div>
    }
    .into_any())
}

/// The manual's introduction: what it is, how it works, why it is safer, and the last day.
#[component]
fn IntroText() -> impl IntoView {
    let info = Resource::new(refreshed, |_| rollout_info());
    view! {
        <p>{tr!(enrol.intro.what)}</p>
        <h2>{tr!(enrol.intro.how_heading)}</h2>
        <p>{tr!(enrol.intro.how)}</p>
        <h2>{tr!(enrol.intro.why_heading)}</h2>
        <p>{tr!(enrol.intro.why)}</p>
        <h2>{tr!(enrol.intro.every_time_heading)}</h2>
        <RememberExplanation/>
        <p>{tr!(enrol.intro.later)}</p>
        <Transition>
            {move || Suspend::new(async move {
                info.await.ok().map(|info| view! {
                    <p class="deadline">
                        <strong>{tr!(enrol.intro.deadline, day = info.last_day).to_string()}</strong>
                        " "
                        {tr!(enrol.intro.mandatory_after)}
                    </p>
                })
            })}
        </Transition>
    }
}
