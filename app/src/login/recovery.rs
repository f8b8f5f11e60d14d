//! The second step with a recovery code, when the phone is lost, and the page after it that
//! says how many codes are left.

use leptos::prelude::*;

use crate::{components::NextField, lang::tr};
use leptos_meta::Title;

#[cfg(feature = "ssr")]
use crate::request::{complete_session, logged_in};
#[cfg(feature = "ssr")]
use crate::routes::RECOVERY_USED;
use crate::{
    components::next_from_query,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    routes::{CODE, safe_next, with_next},
};
#[cfg(feature = "ssr")]
use tweestap_domain::twofactor::recovery_codes;

/// Recovery codes left at which the user is warned.
pub const FEW_CODES_LEFT: u64 = 3;

/// The second step with a recovery code; the next page says how many are left.
#[server(prefix = "/api/tweede-stap", endpoint = "second_step_recovery")]
pub async fn second_step_recovery(code: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    recovery_codes::use_recovery_code(&ctx, &session.user, &code, Some(&viewer.client)).await?;
    complete_session(
        &ctx,
        &viewer,
        &session,
        tweestap_domain::accounts::session::Assurance::RecoveryCode,
    )
    .await?;
    leptos_axum::redirect(&with_next(RECOVERY_USED, &next));
    Ok(())
}

#[component]
pub fn RecoveryPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let next = next_from_query();
    let error = form_error::<SecondStepRecovery>();
    view! {
        <Title text=tr!(login.recovery.title)/>
        <section class="card narrow" aria-labelledby="herstel-titel">
            <h1 id="herstel-titel">{tr!(login.recovery.title)}</h1>
            <p>{tr!(login.recovery.intro)}</p>
            <ActionForm action={action::<SecondStepRecovery>()}>
                <NextField/>
                <div class="field">
                    <label for="recovery-code">{tr!(login.recovery.label)}</label>
                    <input id="recovery-code" name="code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="32" placeholder="XXXX-XXXX-XXXX" required autofocus/>
                </div>
                <FormError error/>
                <button type="submit" class="primary">{tr!(login.recovery.submit)}</button>
            </ActionForm>
            <p><a href=with_next(CODE, &next)>{tr!(login.recovery.back)}</a></p>
        </section>
    }
}

#[component]
pub fn RecoveryUsedPage() -> impl IntoView {
    let next = next_from_query();
    let status = Resource::new(refreshed, |_| crate::settings::tile::two_factor_status());
    let onward = safe_next(next.as_deref());
    view! {
        <Title text=tr!(login.recovery_used.title)/>
        <section class="card narrow" aria-labelledby="gebruikt-titel">
            <h1 id="gebruikt-titel">{tr!(login.recovery_used.heading)}</h1>
            <Transition>
                {move || Suspend::new(async move {
                    status.await.ok().map(|status| {
                        let left = status.codes_left;
                        view! {
                            <p>{tr!(login.recovery_used.left, codes = crate::words::count(left as i64, tr!(login.recovery_used.code), tr!(login.recovery_used.codes)))}</p>
                            {(left <= FEW_CODES_LEFT).then(|| view! {
                                <p class="warning" role="alert">
                                    {tr!(login.recovery_used.few_left)}
                                </p>
                            })}
                        }
                    })
                })}
            </Transition>
            <a class="button primary" href=onward>{tr!(login.recovery_used.proceed)}</a>
        </section>
    }
}
