//! The second step at login: a passkey first where the user has one, with "Andere manier" to
//! the code from the app or from an SMS and to a recovery code; "Onthoud mij" with each.

use leptos::prelude::*;

use crate::components::NextField;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::components::factor::sms_state;
#[cfg(feature = "ssr")]
use crate::components::remember::{chosen_length, form_hours};
#[cfg(feature = "ssr")]
use crate::request::{complete_session, logged_in, set_cookie};
#[cfg(feature = "ssr")]
use crate::routes::{METHOD, safe_next};
use crate::{
    components::factor::{CodeField, ResendForm, ResendSmsCode, SentTo, SmsState},
    components::next_from_query,
    components::remember::{RememberMe, remember_choices},
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    lang::tr,
    passkey::PasskeyLogin,
    routes::{CODE, OTHER_WAY_PARAM, RECOVERY, next_suffix, with_next},
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::session,
    sms,
    twofactor::{Method, app_code, factor, methods, passkey, remembered},
};

/// What the code page asks for: a passkey, the app's code, or the code sent by SMS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStep {
    pub sms: Option<SmsState>,
    /// The user has a passkey, and the installation offers them: it is asked for first.
    pub passkey: bool,
    /// The user has a method with a code (the app or SMS), beside any passkeys.
    pub code: bool,
}

/// The second step at login with a code from the app.
#[server(prefix = "/api/tweede-stap", endpoint = "second_step_code")]
pub async fn second_step_code(
    code: String,
    remember: Option<String>,
    remember_hours: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    if session.stage != session::SessionStage::PasswordOnly {
        return Err(AppError::Forbidden);
    }
    let remember = chosen_length(
        &ctx.settings,
        remember.as_deref() == Some("on"),
        form_hours(remember_hours.as_deref())?,
    )?;
    // The factor is read once: it says which code this is, and the app's check needs it.
    let factor = factor::factor(&ctx, session.user.id)
        .await?
        .filter(|row| row.enabled_at.is_some())
        .ok_or(tweestap_domain::Error::Forbidden)?;
    if factor.method == Method::Sms {
        sms::verify_code(
            &ctx,
            &session.user,
            session.id,
            sms::Purpose::Login,
            &code,
            Some(&viewer.client),
        )
        .await?;
        if let Some(length) = remember {
            let token =
                remembered::remember_browser(&ctx, session.user.id, length, &viewer.client).await?;
            set_cookie(&token.cookie(length.duration()));
        }
        complete_session(
            &ctx,
            &viewer,
            &session,
            tweestap_domain::accounts::session::Assurance::Sms,
        )
        .await?;
        // SMS is no longer offered here (TWEESTAP_SMS_POLICY=off): on to "Methode wijzigen".
        if methods::sms_to_replace(&ctx, session.user.id)
            .await?
            .is_some()
        {
            tracing::info!(
                user_id = session.user.id,
                "second step passed; asked to move off SMS"
            );
            leptos_axum::redirect(&with_next(METHOD, &next));
            return Ok(());
        }
    } else {
        let passed =
            app_code::pass_login(&ctx, &session, &factor, &code, remember, &viewer.client).await?;
        if let (Some(token), Some(length)) = (passed.remembered, remember) {
            set_cookie(&token.cookie(length.duration()));
        }
        set_cookie(&passed.session.cookie());
    }
    tracing::info!(user_id = session.user.id, "second step passed");
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// What the code page shows: for an SMS user where the code went and whether it went.
#[server(prefix = "/api/tweede-stap", endpoint = "second_step_info")]
pub async fn second_step_info() -> Result<SecondStep, AppError> {
    let (ctx, _, session) = logged_in()?;
    let sms = match sms::login_number(&ctx, session.user.id).await? {
        Some(number) => Some(
            sms_state(
                &ctx,
                session.user.id,
                session.id,
                sms::Purpose::Login,
                &number,
            )
            .await?,
        ),
        None => None,
    };
    let passkey = passkey::available(&ctx) && passkey::has_passkey(&ctx, session.user.id).await?;
    let code = factor::factor(&ctx, session.user.id)
        .await?
        .is_some_and(|row| row.method != Method::Passkey);
    Ok(SecondStep { sms, passkey, code })
}

/// The second step at login: the passkey where the user has one ("Andere manier" leads on), the
/// code from the app, or the code sent by SMS.
#[component]
pub fn CodePage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let next = next_from_query();
    let query = use_query_map();
    let info = Resource::new(refreshed, |_| second_step_info());
    let choices = Resource::new(refreshed, |_| remember_choices());
    view! {
        <Title text=tr!(login.code.title)/>
        <section class="card narrow" aria-labelledby="code-titel">
            <Transition>
                {move || {
                    let next = next.clone();
                    let other_way = query.read().get(OTHER_WAY_PARAM).is_some();
                    Suspend::new(async move {
                        let info = info.await.unwrap_or(SecondStep { sms: None, passkey: false, code: true });
                        let choices = choices.await.unwrap_or_else(|_| vec![12]);
                        if info.passkey && !other_way {
                            passkey_step(next, choices, info.code).into_any()
                        } else {
                            code_step(info, next, choices).into_any()
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// A passkey first, with "Andere manier".
fn passkey_step(next: Option<String>, choices: Vec<i64>, code: bool) -> impl IntoView {
    let other_way = format!("{CODE}?{OTHER_WAY_PARAM}=ja{}", next_suffix(&next));
    view! {
        <h1 id="code-titel">{tr!(login.code.passkey_heading)}</h1>
        <p>{tr!(login.code.passkey_intro)}</p>
        <PasskeyLogin next choices/>
        <p>
            <a href=other_way>
                {if code { tr!(login.code.other_way_code) } else { tr!(login.code.other_way_recovery) }}
            </a>
        </p>
    }
}

/// The code from the app or from the SMS, or (for a user with passkeys only) the way to a
/// recovery code.
fn code_step(info: SecondStep, next: Option<String>, choices: Vec<i64>) -> impl IntoView {
    let error = form_error::<SecondStepCode>();
    let back = info.passkey.then(|| {
        view! { <p><a href=with_next(CODE, &next)>{tr!(login.code.back_to_passkey)}</a></p> }
    });
    if !info.code {
        return view! {
            <h1 id="code-titel">{tr!(login.code.without_passkey_heading)}</h1>
            <p>{tr!(login.code.without_passkey_text)}</p>
            <p><a class="button primary" href=with_next(RECOVERY, &next)>{tr!(login.code.use_recovery)}</a></p>
            {back}
        }
        .into_any();
    }
    let sms = info.sms;
    let intro = match &sms {
        Some(state) => view! {
            <h1 id="code-titel">{tr!(login.code.sms_heading)}</h1>
            <SentTo state=state.clone()/>
        }
        .into_any(),
        None => view! {
            <h1 id="code-titel">{tr!(login.code.app_heading)}</h1>
            <p>{tr!(login.code.app_intro)}</p>
        }
        .into_any(),
    };
    view! {
        {intro}
        <ActionForm action={action::<SecondStepCode>()}>
            <NextField/>
            <CodeField/>
            <RememberMe choices spare=tr!(login.code.spare)/>
            <FormError error/>
            <button type="submit" class="primary">{tr!(login.code.submit)}</button>
        </ActionForm>
        {sms.map(|state| view! { <ResendForm state action={action::<ResendSmsCode>()}/> })}
        <p>
            <a href=with_next(RECOVERY, &next)>{tr!(login.code.lost_phone)}</a>
        </p>
        {back}
    }
    .into_any()
}
