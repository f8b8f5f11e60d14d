//! The wizard: the password again, the method, the QR code or the phone number, the code, the
//! recovery codes and "Gedaan". The server decides each step from the user's state.

use leptos::prelude::*;

use crate::{components::NextField, lang::tr};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::components::factor::{is_send_problem, sms_state};
#[cfg(feature = "ssr")]
use crate::request::{complete_session, confirm_password, logged_in};
use crate::{
    components::factor::{
        Apps, CodeField, Explanation, KeyToScan, MethodChoice, NewFactor, PhoneField, ResendForm,
        ResendSmsCode, SaveRecoveryCodes, SentTo,
    },
    components::next_from_query,
    enrol::intro::NotNow,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    passkey::{AddPasskey, PasskeyExplanation},
    routes::{SETTINGS, STEP_CODE, WIZARD, next_suffix, with_next},
};
#[cfg(feature = "ssr")]
use crate::{
    error::Invalid,
    routes::{STEP_PASSKEY, STEP_PHONE, safe_next},
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::{
        reauth::{self, Window},
        session::{self, Assurance},
    },
    sms,
    twofactor::{Method, enrolment, factor, methods, policy, recovery_codes, sms_enrolment},
};

/// What the wizard shows, decided on the server from the user's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WizardStep {
    Password,
    Method,
    New(NewFactor),
    /// A passkey was chosen: the browser makes one.
    Passkey,
    RecoveryCodes {
        codes: Vec<String>,
    },
    AlreadyOn,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wizard {
    pub step: WizardStep,
    /// During the optional period the user may leave the wizard ("niet nu instellen").
    pub optional: bool,
    /// Whether SMS is offered: only when a provider is configured.
    pub sms_available: bool,
    /// Whether passkeys are offered: only with a public origin that has a host name.
    pub passkey_available: bool,
    /// Whether the app is offered (`TWEESTAP_METHODS`).
    pub app_available: bool,
}

#[server(prefix = "/api/instellen", endpoint = "wizard_state")]
pub async fn wizard_state(step: Option<String>) -> Result<Wizard, AppError> {
    let (ctx, _, session) = logged_in()?;
    let optional = ctx.settings.rollout.phase(ctx.now()) != policy::Phase::Mandatory;
    let factor = factor::factor(&ctx, session.user.id).await?;
    let user_id = session.user.id;
    let sms_available = methods::may_choose(&ctx, user_id, Method::Sms).await?;
    let passkey_available = methods::may_choose(&ctx, user_id, Method::Passkey).await?;
    let app_available = methods::may_choose(&ctx, user_id, Method::App).await?;
    let asked = step.as_deref();
    let password_fresh = reauth::is_fresh(&ctx, &session, Window::Wizard);
    let step = match &factor {
        Some(row) if row.enabled_at.is_some() => {
            match recovery_codes::codes_to_show(&ctx, row, session.id).await? {
                // Shown again only behind the password: not to a session found open later.
                Some(_) if !password_fresh => WizardStep::Password,
                Some(codes) => WizardStep::RecoveryCodes { codes },
                None => WizardStep::AlreadyOn,
            }
        }
        _ if !password_fresh => WizardStep::Password,
        None if asked == Some(STEP_PHONE) && sms_available => WizardStep::New(NewFactor::Phone),
        None if asked == Some(STEP_PASSKEY) && passkey_available => WizardStep::Passkey,
        None => WizardStep::Method,
        Some(row) if row.method == Method::Sms => {
            let number = sms::number_of(&ctx, row)?;
            WizardStep::New(NewFactor::SmsCode(
                sms_state(
                    &ctx,
                    session.user.id,
                    session.id,
                    sms::Purpose::Enrol,
                    &number,
                )
                .await?,
            ))
        }
        Some(_) if asked == Some(STEP_CODE) => WizardStep::New(NewFactor::Code),
        Some(row) => {
            let key = enrolment::enrolment_key(&ctx, &session.user, row)?;
            WizardStep::New(NewFactor::Scan {
                qr_svg: key.qr_svg,
                secret: key.secret_for_people,
            })
        }
    };
    Ok(Wizard {
        step,
        optional,
        sms_available,
        passkey_available,
        app_available,
    })
}

/// Step 1: the password again. A wrong one is answered like a wrong password at login.
#[server(prefix = "/api/instellen", endpoint = "wizard_password")]
pub async fn wizard_password(password: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    confirm_password(&ctx, &viewer, &session, password).await?;
    leptos_axum::redirect(&with_next(WIZARD, &next));
    Ok(())
}

/// Step 2: the method. SMS only when a provider is configured.
#[server(prefix = "/api/instellen", endpoint = "wizard_method")]
pub async fn wizard_method(method: Option<String>, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    reauth::require(&ctx, &session, Window::Wizard)?;
    match method.as_deref().and_then(Method::from_name) {
        Some(Method::App) => {
            enrolment::start_app_enrolment(&ctx, &session.user).await?;
            leptos_axum::redirect(&with_next(WIZARD, &next));
        }
        Some(Method::Sms) if methods::may_choose(&ctx, session.user.id, Method::Sms).await? => {
            leptos_axum::redirect(&format!("{WIZARD}?stap={STEP_PHONE}{}", next_suffix(&next)));
        }
        Some(Method::Passkey)
            if methods::may_choose(&ctx, session.user.id, Method::Passkey).await? =>
        {
            leptos_axum::redirect(&format!(
                "{WIZARD}?stap={STEP_PASSKEY}{}",
                next_suffix(&next)
            ));
        }
        _ => return Err(AppError::invalid(Invalid::MethodMissing)),
    }
    Ok(())
}

/// Step 3 with SMS: the mobile number, to which a code is sent at once. Problems with sending
/// show on the next step, which offers to send again.
#[server(prefix = "/api/instellen", endpoint = "wizard_phone")]
pub async fn wizard_phone(phone: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    if session.stage != session::SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    reauth::require(&ctx, &session, Window::Wizard)?;
    let number = sms::PhoneNumber::parse(&phone)?;
    match sms_enrolment::start_enrolment(&ctx, &session.user, session.id, &number).await {
        Err(err) if !is_send_problem(&err) => return Err(err.into()),
        _ => {}
    }
    leptos_axum::redirect(&with_next(WIZARD, &next));
    Ok(())
}

/// "Ander nummer of andere methode kiezen": the enrolment in progress is dropped.
#[server(prefix = "/api/instellen", endpoint = "wizard_restart")]
pub async fn wizard_restart(next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    enrolment::drop_enrolment(&ctx, session.user.id).await?;
    leptos_axum::redirect(&with_next(WIZARD, &next));
    Ok(())
}

/// Step 4: the code from the app switches two-step authentication on; the session gets a new
/// id (SEC-03).
#[server(prefix = "/api/instellen", endpoint = "wizard_code")]
pub async fn wizard_code(code: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, viewer, session) = logged_in()?;
    // Enrolment belongs to a complete login; the access policy already keeps a session that is
    // waiting for its second step away from here, and this says so once more.
    if session.stage != session::SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    reauth::require(&ctx, &session, Window::Wizard)?;
    let factor = factor::factor(&ctx, session.user.id).await?;
    if factor.as_ref().is_some_and(|row| row.enabled_at.is_some()) {
        // Switched on already (another tab, a second click): nothing to confirm or log again.
        leptos_axum::redirect(&with_next(WIZARD, &next));
        return Ok(());
    }
    let how = match factor {
        Some(row) if row.method == Method::Sms => {
            sms_enrolment::confirm_enrolment(
                &ctx,
                &session.user,
                session.id,
                &code,
                Some(&viewer.client),
            )
            .await?;
            Assurance::Sms
        }
        _ => {
            enrolment::confirm_app_enrolment(&ctx, &session.user, &code, Some(&viewer.client))
                .await?;
            Assurance::App
        }
    };
    complete_session(&ctx, &viewer, &session, how).await?;
    leptos_axum::redirect(&with_next(WIZARD, &next));
    Ok(())
}

/// Step 5: "Gedaan", once the user has ticked that the codes are saved.
#[server(prefix = "/api/instellen", endpoint = "wizard_done")]
pub async fn wizard_done(saved: Option<String>, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    if saved.as_deref() != Some("on") {
        return Err(AppError::invalid(Invalid::CodesNotSaved));
    }
    enrolment::finish_enrolment(&ctx, session.user.id).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// The wizard: one page whose step follows from what the server knows, so a reload or going
/// back lands on the same step with the same secret.
#[component]
pub fn WizardPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let query = use_query_map();
    let next = next_from_query();
    // The step the address asks for; the server decides what is shown (SEC-04, SEC-08).
    let wizard = Resource::new(
        move || (query.read().get("stap"), refreshed()),
        |(step, _)| wizard_state(step),
    );
    // After a step appears in the browser, focus moves to its heading, so a screen reader reads
    // on from the new step (the first load keeps the browser's own focus).
    Effect::new(move |shown: Option<bool>| {
        let loaded = wizard.with(Option::is_some);
        if shown == Some(true) && loaded {
            focus_step_heading();
        }
        shown.unwrap_or(false) || loaded
    });
    view! {
        <Title text=tr!(enrol.wizard.title)/>
        <section class="card wizard" aria-labelledby="wizard-titel">
            <h1 id="wizard-titel">{tr!(enrol.wizard.title)}</h1>
            <Transition>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        match wizard.await {
                            Ok(wizard) => wizard_step(wizard, next).into_any(),
                            Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any()}
                    })
                }}
            </Transition>
        </section>
    }
}

fn not_now_link(optional: bool) -> impl IntoView {
    optional.then(|| {
        view! {
            <ActionForm action={action::<NotNow>()} attr:class="not-now">
                <NextField/>
                <button type="submit" class="link">{tr!(enrol.wizard.not_now)}</button>
            </ActionForm>
        }
    })
}

fn wizard_step(wizard: Wizard, next: Option<String>) -> impl IntoView {
    let not_now_error = form_error::<NotNow>();
    let restart_error = form_error::<WizardRestart>();
    let code_error = form_error::<WizardCode>();
    match wizard.step {
        WizardStep::Password => view! {
            <Explanation/>
            <ActionForm action={action::<WizardPassword>()}>
                <h2>{tr!(enrol.wizard.password.heading)}</h2>
                <NextField/>
                <div class="field">
                    <label for="password">{tr!(enrol.wizard.password.label)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required/>
                </div>
                <FormError error={form_error::<WizardPassword>()}/>
                <button type="submit" class="primary">{tr!(enrol.wizard.proceed)}</button>
            </ActionForm>
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional)}
        }
        .into_any(),
        WizardStep::Method => view! {
            <Explanation/>
            <ActionForm action={action::<WizardMethod>()}>
                <MethodChoice legend=tr!(enrol.wizard.method.legend) sms_available=wizard.sms_available passkey_available=wizard.passkey_available app_available=wizard.app_available/>
                <NextField/>
                <FormError error={form_error::<WizardMethod>()}/>
                <button type="submit" class="primary">{tr!(enrol.wizard.proceed)}</button>
            </ActionForm>
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional)}
        }
        .into_any(),
        WizardStep::New(NewFactor::Scan { qr_svg, secret }) => view! {
            <h2>{tr!(enrol.wizard.scan.heading)}</h2>
            <KeyToScan qr_svg secret/>
            <Apps/>
            <a class="button primary" href=format!("{WIZARD}?stap={STEP_CODE}{}", next_suffix(&next))>{tr!(enrol.wizard.proceed)}</a>
            {wizard.sms_available.then(|| restart_form(tr!(enrol.wizard.other_method), restart_error))}
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional)}
        }
        .into_any(),
        WizardStep::New(NewFactor::Phone) => view! {
            <ActionForm action={action::<WizardPhone>()}>
                <h2>{tr!(enrol.wizard.phone.heading)}</h2>
                <p>{tr!(enrol.wizard.phone.text)}</p>
                <NextField/>
                <PhoneField/>
                <FormError error={form_error::<WizardPhone>()}/>
                <button type="submit" class="primary">{tr!(enrol.wizard.phone.send)}</button>
            </ActionForm>
            <p><a href=with_next(WIZARD, &next)>{tr!(enrol.wizard.phone.back)}</a></p>
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional)}
        }
        .into_any(),
        WizardStep::New(NewFactor::SmsCode(state)) => {
            let sent = state.clone();
            view! {
            <ActionForm action={action::<WizardCode>()}>
                <h2>{tr!(enrol.wizard.sms_code.heading)}</h2>
                <SentTo state=sent/>
                <NextField/>
                <CodeField/>
                <FormError error=code_error/>
                <button type="submit" class="primary">{tr!(enrol.wizard.proceed)}</button>
            </ActionForm>
            <ResendForm state action={action::<ResendSmsCode>()}/>
            {restart_form(tr!(enrol.wizard.sms_code.restart), restart_error)}
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional)}
        }
        .into_any()
        }
        WizardStep::New(NewFactor::Code) => view! {
            <ActionForm action={action::<WizardCode>()}>
                <h2>{tr!(enrol.wizard.app_code.heading)}</h2>
                <p>{tr!(enrol.wizard.app_code.text)}</p>
                <NextField/>
                <CodeField/>
                <FormError error=code_error/>
                <button type="submit" class="primary">{tr!(enrol.wizard.proceed)}</button>
            </ActionForm>
            <p><a href=with_next(WIZARD, &next)>{tr!(enrol.wizard.app_code.back)}</a></p>
        }
        .into_any(),
        WizardStep::Passkey => view! {
            <h2>{tr!(enrol.wizard.passkey.heading)}</h2>
            <PasskeyExplanation/>
            <AddPasskey label=tr!(enrol.wizard.passkey.create)/>
            {restart_form(tr!(enrol.wizard.other_method), restart_error)}
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional)}
        }
        .into_any(),
        WizardStep::RecoveryCodes { codes } => view! {
            <p class="success" role="status">{tr!(enrol.wizard.recovery_codes.turned_on)}</p>
            <h2>{tr!(enrol.wizard.recovery_codes.heading)}</h2>
            <SaveRecoveryCodes codes action={action::<WizardDone>()}/>
        }
        .into_any(),
        WizardStep::AlreadyOn => view! {
            <p>{tr!(enrol.wizard.already_on.text)}</p>
            <p><a href=SETTINGS>{tr!(enrol.wizard.already_on.settings)}</a></p>
        }
        .into_any()}
}

fn restart_form(label: &'static str, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <ActionForm action={action::<WizardRestart>()} attr:class="restart">
            <NextField/>
            <FormError error/>
            <button type="submit" class="link">{label}</button>
        </ActionForm>
    }
}

/// Focuses the heading of the step on screen, once the browser has drawn it.
fn focus_step_heading() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        use leptos::wasm_bindgen::JsCast as _;
        let heading = document()
            .query_selector(".wizard h2")
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
        if let Some(heading) = heading {
            let _ = heading.set_attribute("tabindex", "-1");
            let _ = heading.focus();
        }
    });
}
