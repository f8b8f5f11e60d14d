//! Two-step authentication as the manual describes it: the introduction, the wizard, the
//! second step at login with a code or a recovery code, and the settings tile.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FormError, form_error};

pub mod change;
mod islands;
pub mod manage;
#[cfg(feature = "ssr")]
pub mod policy;
#[cfg(feature = "ssr")]
pub mod recovery;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sms;
#[cfg(all(test, feature = "ssr"))]
mod tests;
#[cfg(feature = "ssr")]
pub mod totp;

pub use islands::{CopyButton, PrintButton, ResendButton};

pub const CODE_PAGE: &str = "/inloggen/code";
pub const RECOVERY_PAGE: &str = "/inloggen/herstelcode";
pub const RECOVERY_USED_PAGE: &str = "/inloggen/herstelcode-gebruikt";
pub const INTRO_PAGE: &str = "/twee-staps/introductie";
pub const WIZARD_PAGE: &str = "/twee-staps/instellen";
/// The wizard's steps that the address names.
const STEP_CODE: &str = "code";
const STEP_PHONE: &str = "telefoon";
/// Recovery codes left at which the user is warned.
pub const FEW_CODES_LEFT: u64 = 3;

/// `?volgende=` for a page, when there is somewhere to go after it.
fn with_next(page: &str, next: &Option<String>) -> String {
    match next.as_deref() {
        Some(next) if !next.is_empty() && next != "/" => {
            format!("{page}?volgende={}", crate::url::query_value(next))
        }
        _ => page.to_owned(),
    }
}

fn next_from_query() -> Option<String> {
    use_query_map().read_untracked().get("volgende")
}

/// What the wizard shows, decided on the server from the user's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WizardStep {
    Password,
    Method {
        sms_available: bool,
    },
    /// SMS was chosen: the mobile number.
    Phone,
    /// A code went to the number: enter it.
    SmsCode(SmsState),
    Scan {
        qr_svg: String,
        secret: String,
        sms_available: bool,
    },
    Code,
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    /// The last day to set it up, "30 juni 2027".
    pub last_day: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub enabled_since: Option<String>,
    /// The mandatory period: it cannot be switched off.
    pub mandatory: bool,
    /// The masked number when the method is SMS.
    pub sms_number: Option<String>,
    pub codes_left: u64,
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

/// What the code page asks for: the app's code, or the code sent by SMS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStep {
    pub sms: Option<SmsState>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::{
        auth::{Viewer, safe_next, session},
        context::{AppContext, internal},
    };

    pub fn logged_in() -> Result<(AppContext, Viewer, session::ActiveSession), AppError> {
        let ctx = AppContext::current()?;
        let viewer = Viewer::current();
        let session = viewer.session.clone().ok_or(AppError::NotLoggedIn)?;
        Ok((ctx, viewer, session))
    }

    pub fn go(to: &str) {
        leptos_axum::redirect(to);
    }

    pub fn next_path(next: &Option<String>) -> String {
        safe_next(next.as_deref())
    }

    pub fn set_cookie(cookie: &str) {
        crate::auth::set_response_cookie(cookie);
    }

    pub async fn sms_state(
        ctx: &AppContext,
        user_id: i32,
        session_id: i32,
        purpose: sms::Purpose,
        number: &sms::PhoneNumber,
    ) -> Result<SmsState, AppError> {
        let sends = sms::session_sends(ctx, session_id, purpose).await?;
        Ok(SmsState {
            number: number.masked(),
            code_sent: sends.code_sent,
            problem: sends.problem,
            resend_in: sms::seconds_until_resend(ctx, user_id).await?,
        })
    }

    /// Problems with sending, which the page shows next to "Code opnieuw versturen", as
    /// opposed to problems with the request.
    pub fn is_send_problem(err: &AppError) -> bool {
        matches!(
            err,
            AppError::SmsNotSent | AppError::SmsCooldown | AppError::SmsLimit
        )
    }

    pub async fn complete_session(
        ctx: &AppContext,
        viewer: &Viewer,
        session: &session::ActiveSession,
    ) -> Result<(), AppError> {
        let token = session::complete(ctx, session, &viewer.client)
            .await
            .map_err(internal)?;
        set_cookie(&token.cookie());
        Ok(())
    }
}

#[server(endpoint = "rollout_info")]
pub async fn rollout_info() -> Result<Rollout, AppError> {
    let (ctx, _, _) = server::logged_in()?;
    Ok(Rollout {
        last_day: ctx.settings.rollout.last_optional_day(),
    })
}

/// "Niet nu": recorded, and on to where the user was going.
#[server(endpoint = "not_now")]
pub async fn not_now(next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = server::logged_in()?;
    if ctx.settings.rollout.phase(ctx.now()) == policy::Phase::Mandatory {
        return Err(AppError::EnrolmentRequired);
    }
    service::defer(&ctx, session.user.id).await?;
    tracing::info!(
        user_id = session.user.id,
        "two-step authentication deferred"
    );
    server::go(&server::next_path(&next));
    Ok(())
}

#[server(endpoint = "wizard_state")]
pub async fn wizard_state(step: Option<String>) -> Result<Wizard, AppError> {
    let (ctx, _, session) = server::logged_in()?;
    let optional = ctx.settings.rollout.phase(ctx.now()) != policy::Phase::Mandatory;
    let factor = service::factor(&ctx, session.user.id).await?;
    let sms_available = sms::available(&ctx);
    let asked = step.as_deref();
    let password_fresh = service::password_recently_confirmed(&ctx, session.password_confirmed_at);
    let step = match &factor {
        Some(row) if row.enabled_at.is_some() => match service::codes_to_show(&ctx, row).await? {
            // Shown again only behind the password: not to a session found open later.
            Some(_) if !password_fresh => WizardStep::Password,
            Some(codes) => WizardStep::RecoveryCodes { codes },
            None => WizardStep::AlreadyOn,
        },
        _ if !password_fresh => WizardStep::Password,
        None if asked == Some(STEP_PHONE) && sms_available => WizardStep::Phone,
        None => WizardStep::Method { sms_available },
        Some(row) if row.method == sms::METHOD_SMS => {
            let number = sms::number_of(&ctx, row)?;
            WizardStep::SmsCode(
                server::sms_state(
                    &ctx,
                    session.user.id,
                    session.id,
                    sms::Purpose::Enrol,
                    &number,
                )
                .await?,
            )
        }
        Some(_) if asked == Some(STEP_CODE) => WizardStep::Code,
        Some(row) => {
            let key = service::enrolment_key(&ctx, &session.user, row)?;
            WizardStep::Scan {
                qr_svg: key.qr_svg,
                secret: key.secret_for_people,
                sms_available,
            }
        }
    };
    Ok(Wizard { step, optional })
}

/// Step 1: the password again. A wrong one is answered like a wrong password at login.
#[server(endpoint = "wizard_password")]
pub async fn wizard_password(password: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = server::logged_in()?;
    manage::confirm_password_again(&ctx, &session, password).await?;
    server::go(&with_next(WIZARD_PAGE, &next));
    Ok(())
}

/// Step 2: the method. SMS only when a provider is configured.
#[server(endpoint = "wizard_method")]
pub async fn wizard_method(method: Option<String>, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = server::logged_in()?;
    if !service::password_recently_confirmed(&ctx, session.password_confirmed_at) {
        return Err(AppError::PasswordConfirmationNeeded);
    }
    match method.as_deref() {
        Some(service::METHOD_APP) => {
            service::start_app_enrolment(&ctx, &session.user).await?;
            server::go(&with_next(WIZARD_PAGE, &next));
        }
        Some(sms::METHOD_SMS) if sms::available(&ctx) => {
            server::go(&format!(
                "{WIZARD_PAGE}?stap={STEP_PHONE}{}",
                next_suffix(&next)
            ));
        }
        _ => return Err(AppError::invalid(crate::error::Problem::MethodMissing)),
    }
    Ok(())
}

/// Step 3 with SMS: the mobile number, to which a code is sent at once. Problems with sending
/// show on the next step, which offers to send again.
#[server(endpoint = "wizard_phone")]
pub async fn wizard_phone(phone: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = server::logged_in()?;
    if session.stage != crate::auth::session::SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    if !service::password_recently_confirmed(&ctx, session.password_confirmed_at) {
        return Err(AppError::PasswordConfirmationNeeded);
    }
    let number = sms::PhoneNumber::parse(&phone).map_err(AppError::invalid)?;
    match sms::start_enrolment(&ctx, &session.user, session.id, &number).await {
        Err(err) if !server::is_send_problem(&err) => return Err(err),
        _ => {}
    }
    server::go(&with_next(WIZARD_PAGE, &next));
    Ok(())
}

/// "Ander nummer of andere methode kiezen": the enrolment in progress is dropped.
#[server(endpoint = "wizard_restart")]
pub async fn wizard_restart(next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = server::logged_in()?;
    service::drop_enrolment(&ctx, session.user.id).await?;
    server::go(&with_next(WIZARD_PAGE, &next));
    Ok(())
}

/// "Code opnieuw versturen", at login or in the wizard. Allowed only once the cooldown has
/// passed, and within the limits (SEC-10).
#[server(endpoint = "resend_sms_code")]
pub async fn resend_sms_code(next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = server::logged_in()?;
    match session.stage {
        crate::auth::session::SessionStage::PasswordOnly => {
            sms::send_login_code(&ctx, session.user.id, session.id).await?;
            server::go(&with_next(CODE_PAGE, &next));
        }
        crate::auth::session::SessionStage::Complete => {
            if !service::password_recently_confirmed(&ctx, session.password_confirmed_at) {
                return Err(AppError::PasswordConfirmationNeeded);
            }
            sms::resend_enrolment_code(&ctx, &session.user, session.id).await?;
            server::go(&with_next(WIZARD_PAGE, &next));
        }
    }
    Ok(())
}

/// Step 4: the code from the app switches two-step authentication on; the session gets a new
/// id (SEC-03).
#[server(endpoint = "wizard_code")]
pub async fn wizard_code(code: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, viewer, session) = server::logged_in()?;
    // Enrolment belongs to a complete login; the access policy already keeps a session that is
    // waiting for its second step away from here, and this says so once more.
    if session.stage != crate::auth::session::SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    if !service::password_recently_confirmed(&ctx, session.password_confirmed_at) {
        return Err(AppError::PasswordConfirmationNeeded);
    }
    let factor = service::factor(&ctx, session.user.id).await?;
    if factor.as_ref().is_some_and(|row| row.enabled_at.is_some()) {
        // Switched on already (another tab, a second click): nothing to confirm or log again.
        server::go(&with_next(WIZARD_PAGE, &next));
        return Ok(());
    }
    match factor {
        Some(row) if row.method == sms::METHOD_SMS => {
            sms::confirm_enrolment(&ctx, &session.user, session.id, &code, Some(&viewer.client))
                .await?;
        }
        _ => {
            service::confirm_app_enrolment(&ctx, &session.user, &code, Some(&viewer.client))
                .await?;
        }
    }
    server::complete_session(&ctx, &viewer, &session).await?;
    server::go(&with_next(WIZARD_PAGE, &next));
    Ok(())
}

/// Step 5: "Gedaan", once the user has ticked that the codes are saved.
#[server(endpoint = "wizard_done")]
pub async fn wizard_done(saved: Option<String>, next: Option<String>) -> Result<(), AppError> {
    let (ctx, _, session) = server::logged_in()?;
    if saved.as_deref() != Some("on") {
        return Err(AppError::invalid(crate::error::Problem::CodesNotSaved));
    }
    service::finish_enrolment(&ctx, session.user.id).await?;
    server::go(&server::next_path(&next));
    Ok(())
}

#[server(endpoint = "remember_hours")]
pub async fn remember_hours() -> Result<i64, AppError> {
    let (ctx, _, _) = server::logged_in()?;
    Ok(ctx.settings.remember_for.num_hours())
}

/// The second step at login with a code from the app.
#[server(endpoint = "second_step_code")]
pub async fn second_step_code(
    code: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    let (ctx, viewer, session) = server::logged_in()?;
    if session.stage != crate::auth::session::SessionStage::PasswordOnly {
        return Err(AppError::Forbidden);
    }
    if sms::login_number(&ctx, session.user.id).await?.is_some() {
        sms::verify_code(
            &ctx,
            &session.user,
            session.id,
            sms::Purpose::Login,
            &code,
            Some(&viewer.client),
        )
        .await?;
    } else {
        service::verify_app_code(&ctx, &session.user, &code, Some(&viewer.client)).await?;
    }
    if remember.as_deref() == Some("on") {
        let token = service::remember_browser(&ctx, session.user.id, &viewer.client).await?;
        server::set_cookie(&token.cookie(ctx.settings.remember_for));
    }
    server::complete_session(&ctx, &viewer, &session).await?;
    tracing::info!(user_id = session.user.id, "second step passed");
    server::go(&server::next_path(&next));
    Ok(())
}

/// The second step with a recovery code; the next page says how many are left.
#[server(endpoint = "second_step_recovery")]
pub async fn second_step_recovery(code: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, viewer, session) = server::logged_in()?;
    service::use_recovery_code(&ctx, &session.user, &code, Some(&viewer.client)).await?;
    server::complete_session(&ctx, &viewer, &session).await?;
    server::go(&with_next(RECOVERY_USED_PAGE, &next));
    Ok(())
}

/// What the code page shows: for an SMS user where the code went and whether it went.
#[server(endpoint = "second_step_info")]
pub async fn second_step_info() -> Result<SecondStep, AppError> {
    let (ctx, _, session) = server::logged_in()?;
    let sms = match sms::login_number(&ctx, session.user.id).await? {
        Some(number) => Some(
            server::sms_state(
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
    Ok(SecondStep { sms })
}

#[server(endpoint = "two_factor_status")]
pub async fn two_factor_status() -> Result<Status, AppError> {
    let (ctx, _, session) = server::logged_in()?;
    let factor = service::factor(&ctx, session.user.id)
        .await?
        .filter(|row| row.enabled_at.is_some());
    let sms_number = match &factor {
        Some(row) if row.method == sms::METHOD_SMS => Some(sms::number_of(&ctx, row)?.masked()),
        _ => None,
    };
    Ok(Status {
        enabled_since: factor
            .and_then(|row| row.enabled_at)
            .map(crate::time::format_dutch),
        sms_number,
        mandatory: ctx.settings.rollout.phase(ctx.now()) == policy::Phase::Mandatory,
        codes_left: service::recovery_codes_left(&ctx, session.user.id).await?,
    })
}

/// The manual's explanation, shared by the introduction, the wizard and the settings tile.
#[component]
fn Explanation() -> impl IntoView {
    view! {
        <p>
            "Twee-staps-authenticatie biedt een extra beveiligingslaag voor jouw account. Na het inloggen word je om een authenticatie-code gevraagd. Deze ontvang je naar keuze: per SMS of in een authenticatie-applicatie op je mobiele telefoon."
        </p>
    }
}

#[component]
fn Apps() -> impl IntoView {
    view! {
        <p>"Als je nog geen authenticatie-applicatie op je mobiele telefoon hebt kun je bijvoorbeeld een van deze downloaden:"</p>
        <ul class="apps">
            <li>"Microsoft Authenticator (Android, iOS, Windows Phone)"</li>
            <li>"Google Authenticator (Android, iOS)"</li>
            <li>"LastPass Authenticator (Android, iOS, Windows Phone)"</li>
        </ul>
        <p class="hint">
            "Je vindt ze in de Play Store (Android) of de App Store (iPhone): zoek op de naam van de app en kies 'Installeren' of 'Downloaden'."
        </p>
    }
}

/// After the password, during the optional period: the manual's introduction.
#[component]
pub fn IntroPage() -> impl IntoView {
    let next = next_from_query();
    let info = Resource::new(|| (), |_| rollout_info());
    let not_now_error = form_error::<NotNow>();
    let setup = with_next(WIZARD_PAGE, &next);
    view! {
        <Title text="Introductie van twee-staps-authenticatie"/>
        <section class="card" aria-labelledby="intro-titel">
            <h1 id="intro-titel">"Introductie van twee-staps-authenticatie"</h1>
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
            <Suspense>
                {move || Suspend::new(async move {
                    info.await.ok().map(|info| view! {
                        <p class="deadline">
                            <strong>"Stel het uiterlijk " {info.last_day} " in."</strong>
                            " Daarna is twee-staps-authenticatie verplicht."
                        </p>
                    })
                })}
            </Suspense>
            <FormError error=not_now_error/>
            <div class="actions">
                <a class="button primary" href=setup>"Twee-staps-authenticatie instellen"</a>
                <form method="post" action=NotNow::PATH>
                    <input type="hidden" name="next" value=next/>
                    <button type="submit" class="secondary">"Niet nu"</button>
                </form>
            </div>
        </section>
    }
}

#[component]
fn RememberExplanation() -> impl IntoView {
    let hours = Resource::new(|| (), |_| remember_hours());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let hours = hours.await.unwrap_or(12);
                view! {
                    <p>
                        "Om niet bij iedere keer dat je wilt inloggen je mobiele telefoon nodig te hebben, kun je bij het inloggen 'Onthoud mij' aanvinken: dan wordt er op dat apparaat " {hours} " uur lang niet om een authenticatie-code gevraagd. Op deze manier ben je nog steeds beveiligd, want wanneer iemand op een ander apparaat probeert in te loggen met jouw gegevens moet die nog steeds een authenticatie-code invullen."
                    </p>
                }
            })}
        </Suspense>
    }
}

/// The wizard: one page whose step follows from what the server knows, so a reload or going
/// back lands on the same step with the same secret.
#[component]
pub fn WizardPage() -> impl IntoView {
    let query = use_query_map();
    let next = next_from_query();
    let step = query.read_untracked().get("stap");
    let wizard = Resource::new(move || step.clone(), wizard_state);
    let errors = StepErrors {
        password: form_error::<WizardPassword>(),
        method: form_error::<WizardMethod>(),
        phone: form_error::<WizardPhone>(),
        code: form_error::<WizardCode>(),
        resend: form_error::<ResendSmsCode>(),
        restart: form_error::<WizardRestart>(),
        done: form_error::<WizardDone>(),
        not_now: form_error::<NotNow>(),
    };
    view! {
        <Title text="Twee-staps-authenticatie inschakelen"/>
        <section class="card wizard" aria-labelledby="wizard-titel">
            <h1 id="wizard-titel">"Twee-staps-authenticatie inschakelen"</h1>
            <Suspense>
                {move || {
                    let next = next.clone();
                    let errors = errors.clone();
                    Suspend::new(async move {
                        match wizard.await {
                            Ok(wizard) => wizard_step(wizard, next, errors).into_any(),
                            Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The error each of the wizard's forms came back with, if any.
#[derive(Clone, Debug, Default)]
struct StepErrors {
    password: Option<AppError>,
    method: Option<AppError>,
    phone: Option<AppError>,
    code: Option<AppError>,
    resend: Option<AppError>,
    restart: Option<AppError>,
    done: Option<AppError>,
    not_now: Option<AppError>,
}

fn not_now_link(optional: bool, next: Option<String>) -> impl IntoView {
    optional.then(|| {
        view! {
            <form method="post" action=NotNow::PATH class="not-now">
                <input type="hidden" name="next" value=next/>
                <button type="submit" class="link">"Twee-staps-authenticatie niet nu instellen"</button>
            </form>
        }
    })
}

fn wizard_step(wizard: Wizard, next: Option<String>, errors: StepErrors) -> impl IntoView {
    let StepErrors {
        password: password_error,
        method: method_error,
        phone: phone_error,
        code: code_error,
        resend: resend_error,
        restart: restart_error,
        done: done_error,
        not_now: not_now_error,
    } = errors;
    match wizard.step {
        WizardStep::Password => view! {
            <Explanation/>
            <form method="post" action=WizardPassword::PATH>
                <h2>"1. Vul je wachtwoord in"</h2>
                <input type="hidden" name="next" value=next.clone()/>
                <div class="field">
                    <label for="password">"Wachtwoord"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required/>
                </div>
                <FormError error=password_error/>
                <button type="submit" class="primary">"Doorgaan"</button>
            </form>
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional, next)}
        }
        .into_any(),
        WizardStep::Method { sms_available } => view! {
            <Explanation/>
            <form method="post" action=WizardMethod::PATH>
                <MethodChoice legend="2. Kies hoe je authenticatie-codes wilt ontvangen" sms_available/>
                <input type="hidden" name="next" value=next.clone()/>
                <FormError error=method_error/>
                <button type="submit" class="primary">"Doorgaan"</button>
            </form>
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional, next)}
        }
        .into_any(),
        WizardStep::Scan {
            qr_svg,
            secret,
            sms_available,
        } => view! {
            <h2>"3. Scan deze QR-code met de authenticatie-applicatie op je mobiele telefoon"</h2>
            <KeyToScan qr_svg secret/>
            <Apps/>
            <a class="button primary" href=format!("{WIZARD_PAGE}?stap={STEP_CODE}{}", next_suffix(&next))>"Doorgaan"</a>
            {sms_available.then(|| restart_form("Andere methode kiezen", next.clone(), restart_error))}
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional, next)}
        }
        .into_any(),
        WizardStep::Phone => view! {
            <form method="post" action=WizardPhone::PATH>
                <h2>"3. Vul je mobiele telefoonnummer in"</h2>
                <p>"We sturen een SMS met een code naar dit nummer, zodat je kunt bevestigen dat het klopt."</p>
                <input type="hidden" name="next" value=next.clone()/>
                <PhoneField/>
                <FormError error=phone_error/>
                <button type="submit" class="primary">"Code versturen"</button>
            </form>
            <p><a href=with_next(WIZARD_PAGE, &next)>"Terug naar de keuze van de methode"</a></p>
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional, next)}
        }
        .into_any(),
        WizardStep::SmsCode(state) => view! {
            <form method="post" action=WizardCode::PATH>
                <h2>"4. Vul de code in die je per SMS hebt ontvangen"</h2>
                <SentTo state=state.clone()/>
                <input type="hidden" name="next" value=next.clone()/>
                <CodeField/>
                <FormError error=code_error/>
                <button type="submit" class="primary">"Doorgaan"</button>
            </form>
            <ResendForm state next=next.clone() error=resend_error/>
            {restart_form("Ander nummer of andere methode kiezen", next.clone(), restart_error)}
            <FormError error=not_now_error/>
            {not_now_link(wizard.optional, next)}
        }
        .into_any(),
        WizardStep::Code => view! {
            <form method="post" action=WizardCode::PATH>
                <h2>"4. Vul de code in van de authenticatie-applicatie"</h2>
                <p>"Elke 30 seconden maakt de app een nieuwe code aan. De vorige code blijft daarna nog 30 seconden geldig."</p>
                <input type="hidden" name="next" value=next.clone()/>
                <CodeField/>
                <FormError error=code_error/>
                <button type="submit" class="primary">"Doorgaan"</button>
            </form>
            <p><a href=with_next(WIZARD_PAGE, &next)>"Terug naar de QR-code"</a></p>
        }
        .into_any(),
        WizardStep::RecoveryCodes { codes } => view! {
            <p class="success" role="status">"Twee-staps-authenticatie is nu ingeschakeld voor jouw account."</p>
            <h2>"5. Bewaar je herstelcodes op een veilige manier"</h2>
            <SaveRecoveryCodes codes action=WizardDone::PATH next error=done_error/>
        }
        .into_any(),
        WizardStep::AlreadyOn => view! {
            <p>"Twee-staps-authenticatie is ingeschakeld voor jouw account."</p>
            <p><a href="/profiel/instellingen">"Naar je instellingen"</a></p>
        }
        .into_any(),
    }
}

/// New recovery codes, shown once: the manual's explanation, the codes, download, print and
/// copy, and the confirmation that they are saved, posted to `action`.
#[component]
fn SaveRecoveryCodes(
    codes: Vec<String>,
    action: &'static str,
    next: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let text = codes.join("\n");
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        text.replace('\n', "%0A")
    );
    view! {
        <p>
            "Wanneer je geen authenticatie-codes kunt ontvangen, bijvoorbeeld wanneer je je mobiele telefoon kwijt bent of deze gestolen is, kun je een herstelcode gebruiken om alsnog toegang te krijgen tot je account. Herstelcodes kunnen slechts eenmalig gebruikt worden. Schrijf je herstelcodes op, print ze uit, of gebruik een wachtwoordmanager zoals 1Password of LastPass om ze op een veilige manier op te slaan."
        </p>
        <ul class="recovery-codes" aria-label="Herstelcodes">
            {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
        </ul>
        <div class="actions no-print">
            <a class="button secondary" href=download download="herstelcodes.txt">"Downloaden"</a>
            <PrintButton/>
            <CopyButton text=text label="Kopiëren".to_owned()/>
        </div>
        <form method="post" action=action class="no-print">
            <input type="hidden" name="next" value=next/>
            <div class="check">
                <input id="saved" type="checkbox" name="saved" required/>
                <label for="saved">"Ik heb mijn herstelcodes veilig opgeslagen"</label>
            </div>
            <FormError error/>
            <button type="submit" class="primary">"Gedaan"</button>
        </form>
    }
}

fn restart_form(
    label: &'static str,
    next: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    view! {
        <form method="post" action=WizardRestart::PATH class="restart">
            <input type="hidden" name="next" value=next/>
            <FormError error/>
            <button type="submit" class="link">{label}</button>
        </form>
    }
}

/// The choice between SMS (when it is offered) and the app, which is recommended because SMS
/// costs money: in the wizard and under "Methode wijzigen".
#[component]
fn MethodChoice(legend: &'static str, sms_available: bool) -> impl IntoView {
    view! {
        <fieldset>
            <legend><h2>{legend}</h2></legend>
            {sms_available.then(|| view! {
                <div class="choice">
                    <input id="method-sms" type="radio" name="method" value="sms"/>
                    <label for="method-sms">
                        <strong>"SMS met code"</strong>
                        <span>"Ontvang een gratis tekstbericht met authenticatie-code op je mobiele telefoon. Hiervoor is je mobiele telefoonnummer nodig."</span>
                    </label>
                </div>
            })}
            <div class="choice">
                <input id="method-app" type="radio" name="method" value="app" checked/>
                <label for="method-app">
                    <span><strong>"Code van authenticatie-applicatie"</strong> " " <span class="badge">"Aanbevolen"</span></span>
                    <span>"Gebruik een gratis authenticatie-applicatie die je op je mobiele telefoon moet installeren om authenticatie-codes mee aan te maken."</span>
                </label>
            </div>
        </fieldset>
        <p class="hint">
            "In verband met bijkomende kosten bij gebruik van de optie 'SMS met code', verzoeken we je om gebruik te maken van een authenticatie-applicatie op je telefoon. Een authenticatie-applicatie maakt telkens automatisch een nieuwe code aan waarmee je kunt inloggen."
        </p>
    }
}

/// The QR code and, for when scanning does not work, the key as text (SEC-08: shown only
/// while a new app is being set up).
#[component]
fn KeyToScan(qr_svg: String, secret: String) -> impl IntoView {
    view! {
        <div class="qr" role="img" aria-label="QR-code om te scannen met je authenticatie-applicatie" inner_html=qr_svg></div>
        <p>"Lukt scannen niet? Voer dan deze sleutel in de app in:"</p>
        <p class="secret"><code id="sleutel">{secret.clone()}</code> " " <CopyButton text=secret.replace(' ', "") label="Sleutel kopiëren".to_owned()/></p>
    }
}

#[component]
fn PhoneField() -> impl IntoView {
    view! {
        <div class="field">
            <label for="phone">"Mobiel telefoonnummer"</label>
            <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="32" placeholder="06 12345678" aria-describedby="phone-hint" required autofocus/>
            <p id="phone-hint" class="hint">"Een Nederlands nummer zonder landcode, zoals 06 12345678, of een buitenlands nummer met + en landcode."</p>
        </div>
    }
}

/// Where the SMS code went, or that it did not go.
#[component]
fn SentTo(state: SmsState) -> impl IntoView {
    view! {
        {state.code_sent.then(|| view! {
            <p class="sent-to">"We hebben een SMS met een code gestuurd naar " <strong>{state.number.clone()}</strong> ". De code is 5 minuten geldig."</p>
        })}
    }
}

/// "Code opnieuw versturen", with why the last attempt sent nothing, if it did not. Posted to
/// `action`: at login and in the wizard `resend_sms_code`.
#[component]
fn ResendForm(
    state: SmsState,
    next: Option<String>,
    error: Option<AppError>,
    #[prop(default = ResendSmsCode::PATH)] action: &'static str,
) -> impl IntoView {
    view! {
        <form method="post" action=action class="resend">
            <FormError error=error.or(state.problem)/>
            <input type="hidden" name="next" value=next/>
            <p class="hint">"Geen SMS ontvangen? Controleer of je telefoon bereik heeft."</p>
            <ResendButton seconds=state.resend_in/>
        </form>
    }
}

fn next_suffix(next: &Option<String>) -> String {
    let with = with_next("", next);
    with.strip_prefix('?')
        .map(|rest| format!("&{rest}"))
        .unwrap_or_default()
}

#[component]
fn CodeField() -> impl IntoView {
    view! {
        <div class="field">
            <label for="code">"Code"</label>
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

/// The second step at login: the code from the app, or the code sent by SMS.
#[component]
pub fn CodePage() -> impl IntoView {
    let next = next_from_query();
    let error = form_error::<SecondStepCode>();
    let resend_error = form_error::<ResendSmsCode>();
    let info = Resource::new(|| (), |_| second_step_info());
    let hours = Resource::new(|| (), |_| remember_hours());
    view! {
        <Title text="Vul de code in"/>
        <section class="card narrow" aria-labelledby="code-titel">
            <Suspense>
                {move || {
                    let (next, error, resend_error) = (next.clone(), error.clone(), resend_error.clone());
                    Suspend::new(async move {
                        let sms = info.await.ok().and_then(|info| info.sms);
                        let hours = hours.await.unwrap_or(12);
                        let intro = match &sms {
                            Some(state) => view! {
                                <h1 id="code-titel">"Vul de code in die je per SMS hebt ontvangen"</h1>
                                <SentTo state=state.clone()/>
                            }
                            .into_any(),
                            None => view! {
                                <h1 id="code-titel">"Vul de code in van de authenticatie-applicatie"</h1>
                                <p>"Open de authenticatie-applicatie op je mobiele telefoon en vul de code in die je daar ziet."</p>
                            }
                            .into_any(),
                        };
                        view! {
                            {intro}
                            <form method="post" action=SecondStepCode::PATH>
                                <input type="hidden" name="next" value=next.clone()/>
                                <CodeField/>
                                <div class="check">
                                    <input id="remember" type="checkbox" name="remember"/>
                                    <label for="remember">
                                        "Onthoud mij (op dit apparaat " {hours} " uur geen code vragen)"
                                    </label>
                                </div>
                                <FormError error/>
                                <button type="submit" class="primary">"Inloggen"</button>
                            </form>
                            {sms.map(|state| view! { <ResendForm state next=next.clone() error=resend_error/> })}
                            <p>
                                <a href=with_next(RECOVERY_PAGE, &next)>"Telefoon kwijt? Gebruik een herstelcode"</a>
                            </p>
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
pub fn RecoveryPage() -> impl IntoView {
    let next = next_from_query();
    let error = form_error::<SecondStepRecovery>();
    view! {
        <Title text="Inloggen met een herstelcode"/>
        <section class="card narrow" aria-labelledby="herstel-titel">
            <h1 id="herstel-titel">"Inloggen met een herstelcode"</h1>
            <p>"Vul een van de herstelcodes in die je bij het instellen van twee-staps-authenticatie hebt bewaard. Elke herstelcode werkt maar één keer."</p>
            <form method="post" action=SecondStepRecovery::PATH>
                <input type="hidden" name="next" value=next.clone()/>
                <div class="field">
                    <label for="recovery-code">"Herstelcode"</label>
                    <input id="recovery-code" name="code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="32" placeholder="XXXX-XXXX-XXXX" required autofocus/>
                </div>
                <FormError error/>
                <button type="submit" class="primary">"Inloggen"</button>
            </form>
            <p><a href=with_next(CODE_PAGE, &next)>"Terug naar het invullen van de code"</a></p>
        </section>
    }
}

#[component]
pub fn RecoveryUsedPage() -> impl IntoView {
    let next = next_from_query();
    let status = Resource::new(|| (), |_| two_factor_status());
    let onward = crate::auth::safe_next(next.as_deref());
    view! {
        <Title text="Herstelcode gebruikt"/>
        <section class="card narrow" aria-labelledby="gebruikt-titel">
            <h1 id="gebruikt-titel">"Je bent ingelogd met een herstelcode"</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    status.await.ok().map(|status| {
                        let left = status.codes_left;
                        view! {
                            <p>{format!("Deze herstelcode is nu gebruikt. Je hebt nog {} over.", crate::words::count(left as i64, "herstelcode", "herstelcodes"))}</p>
                            {(left <= FEW_CODES_LEFT).then(|| view! {
                                <p class="warning" role="alert">
                                    "Je hebt nog maar weinig herstelcodes over. Is je telefoon kwijt? Neem contact op met de helpdesk om twee-staps-authenticatie opnieuw in te stellen."
                                </p>
                            })}
                        }
                    })
                })}
            </Suspense>
            <a class="button primary" href=onward>"Doorgaan"</a>
        </section>
    }
}

/// Profile -> Instellingen -> "Twee-staps-authenticatie".
#[component]
pub fn TwoFactorTile() -> impl IntoView {
    let status = Resource::new(|| (), |_| two_factor_status());
    view! {
        <section class="tile" aria-labelledby="tegel-twee-staps">
            <h2 id="tegel-twee-staps">"Twee-staps-authenticatie"</h2>
            <Explanation/>
            <Suspense fallback=|| view! { <p>"Laden…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(Status { enabled_since: Some(since), sms_number, codes_left, mandatory }) => view! {
                            <p class="status on">"Twee-staps-authenticatie is ingeschakeld."</p>
                            <p>
                                {match sms_number {
                                    Some(number) => format!("Methode: SMS met code naar {number}, sinds {since}."),
                                    None => format!("Methode: code van authenticatie-applicatie, sinds {since}."),
                                }}
                            </p>
                            <p>{format!("Je hebt nog {} over.", crate::words::count(codes_left as i64, "herstelcode", "herstelcodes"))}</p>
                            <a class="button secondary" href=manage::RECOVERY_CODES_PAGE>"Herstelcodes opnieuw aanmaken"</a>
                            <p><a href=change::METHOD_PAGE>"Methode wijzigen"</a></p>
                            <p><a href=manage::DEVICES_PAGE>"Onthouden apparaten"</a></p>
                            {(!mandatory).then(|| view! {
                                <p><a href=manage::DISABLE_PAGE>"Twee-staps-authenticatie uitschakelen"</a></p>
                            })}
                        }
                        .into_any(),
                        Ok(_) => view! {
                            <p class="status off">"Twee-staps-authenticatie is uitgeschakeld."</p>
                            <a class="button primary" href=with_next(WIZARD_PAGE, &Some("/profiel/instellingen".to_owned()))>
                                "Twee-staps-authenticatie inschakelen"
                            </a>
                        }
                        .into_any(),
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
