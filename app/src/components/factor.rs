//! Parts the wizard, the code page and the method change share: the key to scan, the code and
//! phone fields, where an SMS went and "Code opnieuw versturen", and the recovery codes to save.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request::logged_in;
#[cfg(feature = "ssr")]
use crate::routes::{CODE, WIZARD, with_next};
use crate::{
    components::{
        NextField,
        buttons::{CopyButton, PrintButton, ResendButton},
    },
    error::{AppError, FormError},
    forms::{ClientFormData, FormFn, form_error},
    lang::tr,
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    Context,
    accounts::{
        reauth::{self, Window},
        session,
    },
    sms,
    twofactor::sms_enrolment,
};

/// A new factor on its way to being confirmed by its first code, in the wizard and in "Methode
/// wijzigen" alike.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NewFactor {
    /// SMS was chosen: the mobile number.
    Phone,
    /// A code went to the number: enter it.
    SmsCode(SmsState),
    /// The app was chosen: the key to scan.
    Scan { qr_svg: String, secret: String },
    /// The key is scanned: the code from the app.
    Code,
}

/// Where SMS codes for this login or enrolment go, and how the last send went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsState {
    /// "+31 6 ** ** ** 78"
    pub number: String,
    /// Whether the latest code went out and can be entered.
    pub code_sent: bool,
    /// Why the latest attempt did not send one.
    pub problem: Option<AppError>,
    /// Seconds until "Code opnieuw versturen" is possible.
    pub resend_in: i64,
}

#[cfg(feature = "ssr")]
pub async fn sms_state(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
    purpose: sms::Purpose,
    number: &sms::PhoneNumber,
) -> Result<SmsState, AppError> {
    let sends = sms::session_sends(ctx, session_id, purpose).await?;
    Ok(SmsState {
        number: number.masked(),
        code_sent: sends.code_sent,
        problem: sends.problem.map(AppError::from),
        resend_in: sms::limits::seconds_until_resend(ctx, user_id, session_id, purpose).await?,
    })
}

/// Problems with sending, which the page shows next to "Code opnieuw versturen", as
/// opposed to problems with the request.
#[cfg(feature = "ssr")]
pub fn is_send_problem(err: &tweestap_domain::Error) -> bool {
    use tweestap_domain::Error;
    matches!(
        err,
        Error::SmsNotSent | Error::SmsCooldown | Error::SmsLimit
    )
}

/// "Code opnieuw versturen", at login or in the wizard. Allowed only once the cooldown has
/// passed, and within the limits (SEC-10).
#[server(prefix = "/api/gedeeld", endpoint = "resend_sms_code")]
pub async fn resend_sms_code(next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = logged_in()?;
    match session.stage {
        session::SessionStage::PasswordOnly => {
            sms::send_login_code(&ctx, session.user.id, session.id).await?;
            leptos_axum::redirect(&with_next(CODE, &next));
        }
        session::SessionStage::Complete => {
            reauth::require(&ctx, &session, Window::Wizard)?;
            sms_enrolment::resend_enrolment_code(&ctx, &session.user, session.id).await?;
            leptos_axum::redirect(&with_next(WIZARD, &next));
        }
    }
    Ok(())
}

#[component]
pub fn Apps() -> impl IntoView {
    view! {
        <p>{tr!(common.components.factor.apps_intro)}</p>
        <ul class="apps">
            <li>"Microsoft Authenticator (Android, iOS, Windows Phone)"</li>
            <li>"Google Authenticator (Android, iOS)"</li>
            <li>"LastPass Authenticator (Android, iOS, Windows Phone)"</li>
        </ul>
        <p class="hint">
            {tr!(common.components.factor.apps_hint)}
        </p>
    }
}

/// New recovery codes, shown once: the manual's explanation, the codes, download, print and
/// copy, and the confirmation that they are saved, posted to `action`.
#[component]
pub fn SaveRecoveryCodes<S>(codes: Vec<String>, action: ServerAction<S>) -> impl IntoView
where
    S: FormFn,
    S::Output: Send + Sync + 'static,
    ClientFormData<S>: From<leptos::web_sys::FormData>,
{
    let error = form_error::<S>();
    let text = codes.join("\n");
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        text.replace('\n', "%0A")
    );
    view! {
        <p>
            {tr!(common.components.factor.recovery_intro)}
        </p>
        <ul class="recovery-codes" aria-label=tr!(common.components.factor.recovery_codes)>
            {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
        </ul>
        <div class="actions no-print">
            <a class="button secondary" href=download download=tr!(common.components.factor.download_file)>{tr!(common.components.factor.download)}</a>
            <PrintButton/>
            <CopyButton text=text label=tr!(common.components.factor.copy).to_owned()/>
        </div>
        <ActionForm action=action attr:class="no-print">
            <NextField/>
            <div class="check">
                <input id="saved" type="checkbox" name="saved" required/>
                <label for="saved">{tr!(common.components.factor.saved)}</label>
            </div>
            <FormError error/>
            <button type="submit" class="primary">{tr!(common.components.factor.done)}</button>
        </ActionForm>
    }
}

/// The choice between SMS (when it is offered), the app, and a passkey (when the installation
/// offers it and the browser can): in the wizard and under "Methode wijzigen". The app is
/// recommended because SMS costs money; a passkey above it, where it can be used, because a
/// fake login page cannot pass it on.
#[component]
pub fn MethodChoice(
    legend: &'static str,
    sms_available: bool,
    #[prop(optional)] passkey_available: bool,
    #[prop(default = true)] app_available: bool,
) -> impl IntoView {
    let browser = crate::passkey::browser_supports();
    let passkey_shown = Signal::derive(move || passkey_available && browser.get());
    view! {
        <fieldset>
            <legend><h2>{legend}</h2></legend>
            {passkey_available.then(|| view! {
                <div class="choice" hidden=move || !passkey_shown.get()>
                    <input id="method-passkey" type="radio" name="method" value="passkey"/>
                    <label for="method-passkey">
                        <span><strong>{tr!(common.components.factor.passkey_title)}</strong> " " <span class="badge">{tr!(common.components.factor.recommended)}</span></span>
                        <span>{tr!(common.components.factor.passkey_text)}</span>
                    </label>
                </div>
            })}
            {sms_available.then(|| view! {
                <div class="choice">
                    <input id="method-sms" type="radio" name="method" value="sms"/>
                    <label for="method-sms">
                        <strong>{tr!(common.components.factor.sms_title)}</strong>
                        <span>{tr!(common.components.factor.sms_text)}</span>
                    </label>
                </div>
            })}
            <div class="choice" hidden=!app_available>
                <input id="method-app" type="radio" name="method" value="app" checked=app_available disabled=!app_available/>
                <label for="method-app">
                    <span><strong>{tr!(common.components.factor.app_title)}</strong> " " <span class="badge" hidden=move || passkey_shown.get()>{tr!(common.components.factor.recommended)}</span></span>
                    <span>{tr!(common.components.factor.app_text)}</span>
                </label>
            </div>
        </fieldset>
        <p class="hint">
            {tr!(common.components.factor.method_hint)}
        </p>
    }
}

/// The QR code and, for when scanning does not work, the key as text (SEC-08: shown only
/// while a new app is being set up).
#[component]
pub fn KeyToScan(qr_svg: String, secret: String) -> impl IntoView {
    view! {
        <div class="qr" role="img" aria-label=tr!(common.components.factor.qr_label) inner_html=qr_svg></div>
        <p>{tr!(common.components.factor.scan_fails)}</p>
        <p class="secret"><code id="sleutel">{secret.clone()}</code> " " <CopyButton text=secret.replace(' ', "") label=tr!(common.components.factor.copy_key).to_owned()/></p>
    }
}

#[component]
pub fn PhoneField() -> impl IntoView {
    view! {
        <div class="field">
            <label for="phone">{tr!(common.components.factor.phone)}</label>
            <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="32" placeholder=tr!(common.components.factor.phone_placeholder) aria-describedby="phone-hint" required autofocus/>
            <p id="phone-hint" class="hint">{tr!(common.components.factor.phone_hint)}</p>
        </div>
    }
}

/// Where the SMS code went, or that it did not go.
#[component]
pub fn SentTo(state: SmsState) -> impl IntoView {
    view! {
        {state.code_sent.then(|| view! {
            <p class="sent-to">{tr!(common.components.factor.sent_to)} " " <strong>{state.number.clone()}</strong> {tr!(common.components.factor.sent_valid)}</p>
        })}
    }
}

/// "Code opnieuw versturen", with why the last attempt sent nothing, if it did not. Posted to
/// `action`: at login and in the wizard `resend_sms_code`.
#[component]
pub fn ResendForm<S>(state: SmsState, action: ServerAction<S>) -> impl IntoView
where
    S: FormFn,
    S::Output: Send + Sync + 'static,
    ClientFormData<S>: From<leptos::web_sys::FormData>,
{
    let error = form_error::<S>();
    let problem = state.problem.clone();
    let shown = Signal::derive(move || error.get().or_else(|| problem.clone()));
    view! {
        <ActionForm action attr:class="resend">
            <FormError error=shown/>
            <NextField/>
            <p class="hint">{tr!(common.components.factor.no_sms)}</p>
            <ResendButton seconds=state.resend_in/>
        </ActionForm>
    }
}

#[component]
pub fn CodeField() -> impl IntoView {
    view! {
        <div class="field">
            <label for="code">{tr!(common.components.factor.code)}</label>
            <input
                id="code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9 ]*"
                maxlength="16"
                required
                autofocus
                class="code-input"
            />
        </div>
    }
}

/// What two-step authentication is, in the manual's words.
#[component]
pub fn Explanation() -> impl IntoView {
    view! {
        <p>
            {tr!(common.components.factor.explanation)}
        </p>
    }
}
