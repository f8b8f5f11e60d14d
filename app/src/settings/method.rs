//! Profile -> Instellingen -> "Methode wijzigen": from the app to SMS or back, or a new phone or
//! number. The new factor is confirmed with a code before it replaces the old one, and every
//! step needs the password entered within the last few minutes (SEC-20).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::components::factor::{is_send_problem, sms_state};
use crate::{
    components::factor::{
        Apps, CodeField, KeyToScan, MethodChoice, NewFactor, PhoneField, ResendForm, SentTo,
    },
    components::loaded,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    lang::tr,
    routes::{METHOD, SETTINGS, STEP_CODE},
    settings::reauth::{PasswordAgain, Reauthenticate},
};
#[cfg(feature = "ssr")]
use crate::{error::Invalid, routes::STEP_PHONE};
#[cfg(feature = "ssr")]
use crate::{request::logged_in, settings::reauth::fresh_password};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::reauth::{self, Window},
    twofactor::{Method, change as service, methods},
};

/// What the page shows, decided on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MethodStep {
    /// Two-step authentication is off: nothing to change.
    Off,
    Password,
    /// The choice of the new method; `current` is the method in use.
    Choose {
        current: Current,
        sms_available: bool,
        app_available: bool,
        /// Passkeys may be added (on their own page).
        passkey_available: bool,
        /// SMS is no longer offered and is this user's method: `Some(true)` when moving off it
        /// is mandatory, `Some(false)` while it may wait.
        leave_sms: Option<bool>,
    },
    New(NewFactor),
}

/// The method in use, put in words by the page in its language ("SMS met code naar +31 6 ** **
/// ** 78").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Current {
    /// SMS, with the masked number.
    Sms(String),
    App,
    Passkey,
}

impl Current {
    fn words(&self) -> String {
        match self {
            Current::Sms(number) => tr!(settings.method.current_sms, number = number.clone()),
            Current::App => tr!(settings.method.current_app).to_owned(),
            Current::Passkey => tr!(settings.method.current_passkey).to_owned(),
        }
    }
}

#[server(prefix = "/api/methode", endpoint = "method_change_state")]
pub async fn method_change_state(step: Option<String>) -> Result<MethodStep, AppError> {
    use tweestap_domain::{
        sms,
        twofactor::{enrolment, factor},
    };
    let (ctx, _, session) = logged_in()?;
    let user = &session.user;
    let Some(factor) = factor::factor(&ctx, user.id)
        .await?
        .filter(|row| row.enabled_at.is_some())
    else {
        return Ok(MethodStep::Off);
    };
    if !reauth::is_fresh(&ctx, &session, Window::Settings) {
        return Ok(MethodStep::Password);
    }
    let sms_available = methods::may_choose(&ctx, user.id, Method::Sms).await?;
    let asked = step.as_deref();
    Ok(match service::pending(&ctx, user.id, session.id).await? {
        Some(row) if row.method == Method::Sms => {
            let number = service::new_number(&ctx, &row)?;
            MethodStep::New(NewFactor::SmsCode(
                sms_state(&ctx, user.id, session.id, sms::Purpose::Change, &number).await?,
            ))
        }
        Some(_) if asked == Some(STEP_CODE) => MethodStep::New(NewFactor::Code),
        Some(row) => {
            let key = enrolment::key_to_scan(&ctx, user, &service::new_secret(&ctx, &row)?)?;
            MethodStep::New(NewFactor::Scan {
                qr_svg: key.qr_svg,
                secret: key.secret_for_people,
            })
        }
        None if asked == Some(STEP_PHONE) && sms_available => MethodStep::New(NewFactor::Phone),
        None => MethodStep::Choose {
            current: match factor.method {
                Method::Sms => Current::Sms(sms::number_of(&ctx, &factor)?.masked()),
                Method::App => Current::App,
                Method::Passkey => Current::Passkey,
            },
            sms_available,
            app_available: methods::may_choose(&ctx, user.id, Method::App).await?,
            passkey_available: methods::may_choose(&ctx, user.id, Method::Passkey).await?,
            leave_sms: methods::sms_to_replace(&ctx, user.id)
                .await?
                .map(|phase| phase == tweestap_domain::twofactor::policy::Phase::Mandatory),
        },
    })
}

/// The new method. For the app a new key is made at once; SMS asks for the number first.
#[server(prefix = "/api/methode", endpoint = "method_change_start")]
pub async fn method_change_start(method: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = fresh_password()?;
    match method.as_deref().and_then(Method::from_name) {
        Some(Method::App) => {
            service::start_app(&ctx, &session.user, session.id).await?;
            leptos_axum::redirect(METHOD);
        }
        Some(Method::Sms) if methods::may_choose(&ctx, session.user.id, Method::Sms).await? => {
            service::cancel(&ctx, session.user.id).await?;
            leptos_axum::redirect(&format!("{METHOD}?stap={STEP_PHONE}"));
        }
        _ => return Err(AppError::invalid(Invalid::MethodMissing)),
    }
    Ok(())
}

/// The new mobile number; a code goes to it at once. Problems with sending show on the next
/// step, which offers to send again.
#[server(prefix = "/api/methode", endpoint = "method_change_phone")]
pub async fn method_change_phone(phone: String) -> Result<(), AppError> {
    let (ctx, _, session) = fresh_password()?;
    let number = tweestap_domain::sms::PhoneNumber::parse(&phone)?;
    match service::start_sms(&ctx, &session.user, session.id, &number).await {
        Err(err) if !is_send_problem(&err) => return Err(err.into()),
        _ => {}
    }
    leptos_axum::redirect(METHOD);
    Ok(())
}

/// "Code opnieuw versturen" to the new number.
#[server(prefix = "/api/methode", endpoint = "method_change_resend")]
pub async fn method_change_resend() -> Result<(), AppError> {
    let (ctx, _, session) = fresh_password()?;
    service::resend_sms(&ctx, &session.user, session.id).await?;
    leptos_axum::redirect(METHOD);
    Ok(())
}

/// The code from the new app or SMS: the new method replaces the old one, and it is logged.
#[server(prefix = "/api/methode", endpoint = "method_change_code")]
pub async fn method_change_code(code: String) -> Result<(), AppError> {
    let (ctx, viewer, session) = fresh_password()?;
    service::confirm(&ctx, &session.user, session.id, &code, Some(&viewer.client)).await?;
    leptos_axum::redirect(SETTINGS);
    Ok(())
}

/// "Annuleren" (back to the settings) or "Andere methode kiezen" (`choose_again`): the change
/// in progress is dropped; the method in use stays.
#[server(prefix = "/api/methode", endpoint = "method_change_cancel")]
pub async fn method_change_cancel(choose_again: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = fresh_password()?;
    service::cancel(&ctx, session.user.id).await?;
    leptos_axum::redirect(if choose_again.is_some() {
        METHOD
    } else {
        SETTINGS
    });
    Ok(())
}

/// The error each of the page's forms came back with, if any.
#[derive(Clone, Debug, Default)]
struct Errors {
    password: Signal<Option<AppError>>,
    start: Signal<Option<AppError>>,
    phone: Signal<Option<AppError>>,
    code: Signal<Option<AppError>>,
    cancel: Signal<Option<AppError>>,
}

/// Profile -> Instellingen -> "Methode wijzigen".
#[component]
pub fn MethodPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let query = use_query_map();
    let state = Resource::new(
        move || (query.read().get("stap"), refreshed()),
        |(step, _)| method_change_state(step),
    );
    let errors = Errors {
        password: form_error::<Reauthenticate>(),
        start: form_error::<MethodChangeStart>(),
        phone: form_error::<MethodChangePhone>(),
        code: form_error::<MethodChangeCode>(),
        cancel: form_error::<MethodChangeCancel>(),
    };
    view! {
        <Title text=tr!(settings.method.title)/>
        <h1>{tr!(settings.method.title)}</h1>
        <p>{tr!(settings.method.intro)}</p>
        {loaded(state, move |step| method_step(step, errors.clone()))}
    }
}

fn back_to_settings() -> impl IntoView {
    view! { <p><a href=SETTINGS>{tr!(settings.back_to_settings)}</a></p> }
}

/// "Annuleren", or with `choose_again` "Andere methode kiezen": drops the change in progress.
fn cancel_form(
    label: &'static str,
    choose_again: bool,
    error: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    view! {
        <ActionForm action={action::<MethodChangeCancel>()} attr:class="restart">
            {choose_again.then(|| view! { <input type="hidden" name="choose_again" value="on"/> })}
            {error.map(|error| view! { <FormError error/> })}
            <button type="submit" class="link">{label}</button>
        </ActionForm>
    }
}

fn method_step(step: MethodStep, errors: Errors) -> impl IntoView {
    let Errors {
        password: password_error,
        start: start_error,
        phone: phone_error,
        code: code_error,
        cancel: cancel_error,
    } = errors;
    match step {
        MethodStep::Off => view! {
            <p>{tr!(settings.method.off)}</p>
            {back_to_settings()}
        }
        .into_any(),
        MethodStep::Password => view! {
            <PasswordAgain next=METHOD error=password_error/>
            {back_to_settings()}
        }
        .into_any(),
        MethodStep::Choose { current, sms_available, app_available, passkey_available, leave_sms } => view! {
            {leave_sms.map(|mandatory| view! {
                <div class="notice" role="status">
                    <p>{tr!(settings.method.sms_leaving)}</p>
                    {if mandatory {
                        view! { <p>{tr!(settings.method.sms_mandatory)}</p> }.into_any()
                    } else {
                        view! { <p><a href=crate::routes::safe_next(crate::components::next_from_query().as_deref())>{tr!(settings.method.not_now)}</a></p> }.into_any()
                    }}
                </div>
            })}
            <p class="current">{tr!(settings.method.current, method = current.words())}</p>
            {passkey_available.then(|| view! {
                <p>
                    {tr!(settings.method.passkey_question)} " "
                    <a href=crate::routes::PASSKEYS>{tr!(settings.method.passkey_link)}</a>
                    {tr!(settings.method.passkey_after)}
                </p>
            })}
            <ActionForm action={action::<MethodChangeStart>()}>
                <MethodChoice legend=tr!(settings.method.legend) sms_available app_available/>
                <p class="hint">{tr!(settings.method.same_hint)}</p>
                <FormError error=start_error/>
                <button type="submit" class="primary">{tr!(settings.proceed)}</button>
            </ActionForm>
            <p><a href=SETTINGS>{tr!(settings.cancel)}</a></p>
        }
        .into_any(),
        MethodStep::New(NewFactor::Phone) => view! {
            <ActionForm action={action::<MethodChangePhone>()}>
                <h2>{tr!(settings.method.phone_title)}</h2>
                <p>{tr!(settings.method.phone_text)}</p>
                <PhoneField/>
                <FormError error=phone_error/>
                <button type="submit" class="primary">{tr!(settings.method.send_code)}</button>
            </ActionForm>
            <p><a href=METHOD>{tr!(settings.method.back_to_choice)}</a></p>
            <p><a href=SETTINGS>{tr!(settings.cancel)}</a></p>
        }
        .into_any(),
        MethodStep::New(NewFactor::SmsCode(state)) => {
            let sent = state.clone();
            view! {
            <ActionForm action={action::<MethodChangeCode>()}>
                <h2>{tr!(settings.method.sms_code_title)}</h2>
                <SentTo state=sent/>
                <p class="hint">{tr!(settings.method.not_yet)}</p>
                <CodeField/>
                <FormError error=code_error/>
                <button type="submit" class="primary">{tr!(settings.confirm)}</button>
            </ActionForm>
            <ResendForm state action={action::<MethodChangeResend>()}/>
            {cancel_form(tr!(settings.method.other_number_or_method), true, None)}
            {cancel_form(tr!(settings.cancel), false, Some(cancel_error))}
        }
        .into_any()
        }
        MethodStep::New(NewFactor::Scan { qr_svg, secret }) => view! {
            <h2>{tr!(settings.method.scan_title)}</h2>
            <KeyToScan qr_svg secret/>
            <Apps/>
            <a class="button primary" href=format!("{METHOD}?stap={STEP_CODE}")>{tr!(settings.proceed)}</a>
            {cancel_form(tr!(settings.method.other_method), true, None)}
            {cancel_form(tr!(settings.cancel), false, Some(cancel_error))}
        }
        .into_any(),
        MethodStep::New(NewFactor::Code) => view! {
            <ActionForm action={action::<MethodChangeCode>()}>
                <h2>{tr!(settings.method.app_code_title)}</h2>
                <p>{tr!(settings.method.app_code_text)}</p>
                <p class="hint">{tr!(settings.method.not_yet)}</p>
                <CodeField/>
                <FormError error=code_error/>
                <button type="submit" class="primary">{tr!(settings.confirm)}</button>
            </ActionForm>
            <p><a href=METHOD>{tr!(settings.method.back_to_qr)}</a></p>
            {cancel_form(tr!(settings.cancel), false, Some(cancel_error))}
        }
        .into_any()}
}
