//! Configuratie -> "Twee-staps-authenticatie", for admins: the rollout at a glance, finding a
//! clinician, their two-step state, deferrals, lock and security log, and the helpdesk's
//! actions: lifting a lock and resetting two-step authentication, each with a reason. Every
//! server function here answers 403 to anyone but an admin, and to an admin whose session did
//! not pass their own second step (SEC-31): a stolen admin password alone reads nobody's data.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

mod chart;

#[cfg(feature = "ssr")]
use crate::routes::LOGIN;
use crate::{
    error::{AppError, FormError, Invalid},
    forms::{action, form_error, refreshed},
    lang::tr,
    routes::{HELPDESK, WIZARD, with_next},
    settings::{
        reauth::{PasswordAgain, Reauthenticate},
        security_log::{LogEntry, LogTable, LoginEntry, LoginsTable},
    },
};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::reauth::{self, Window},
    helpdesk as service,
    twofactor::factor,
};

/// How many of a user's security events the helpdesk sees.
pub const EVENTS_SHOWN: u64 = 20;

/// The rollout among professionals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub professionals: u64,
    pub with_app: u64,
    pub with_sms: u64,
    pub with_passkey: u64,
    /// Professionals with a passkey beside their method, or as it.
    pub having_passkeys: u64,
    pub without: u64,
    pub deferred_users: u64,
    pub deferrals: i64,
    pub not_logged_in_since_start: u64,
    pub optional_from: String,
    pub mandatory_from: String,
    /// "Vrijwillig", …
    pub phase: String,
    pub days_left: i64,
    /// The rollout over time; `None` before the optional date.
    pub chart: Option<chart::RolloutChart>,
}

/// A user in the search results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub status: String,
    pub locked: bool,
}

/// A passkey on the helpdesk's user page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeySummary {
    pub name: String,
    pub added: String,
    pub last_used: Option<String>,
}

/// One user's two-step state, for the helpdesk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub enabled_since: Option<String>,
    pub codes_left: u64,
    pub remembered_devices: u64,
    /// The user's passkeys: names and dates only.
    pub passkeys: Vec<PasskeySummary>,
    pub deferrals: i32,
    pub last_deferred: Option<String>,
    pub last_login: Option<String>,
    /// "tot 25 november 2026 om 14:30 (nog 12 minuten)"
    pub locked: Option<String>,
    /// The same for the password step, after too many wrong passwords (SEC-25).
    pub password_locked: Option<String>,
    pub failed_attempts: i32,
    pub events: Vec<LogEntry>,
    /// The user's open logins, with how each was established (SEC-34).
    pub logins: Vec<LoginEntry>,
    /// Whether the admin entered their password recently enough to act (SEC-20).
    pub may_act: bool,
}

#[cfg(feature = "ssr")]
mod server {
    use crate::lang::tr;
    pub use crate::{error::AppError, request::Viewer};
    pub use tweestap_domain::{
        Context,
        accounts::{
            reauth::{self, Window},
            session::ActiveSession,
        },
        db::entity::user::Role,
        helpdesk as service,
        twofactor::{Method, factor},
    };

    /// An admin's session, or 403 for anyone else.
    pub fn admin() -> Result<(Context, Viewer, ActiveSession), AppError> {
        let (ctx, viewer, session) = crate::request::logged_in()?;
        if session.user.role != Role::Admin {
            tracing::warn!(
                user_id = session.user.id,
                "a non-admin called a helpdesk function"
            );
            return Err(AppError::Forbidden);
        }
        Ok((ctx, viewer, session))
    }

    /// Whether the admin logged in with a second step: their own two-step authentication was on
    /// before this session began. Switched on during the session, it proves nothing yet: a
    /// stolen password would do for that.
    async fn own_second_step(ctx: &Context, session: &ActiveSession) -> Result<bool, AppError> {
        Ok(factor::factor(ctx, session.user.id)
            .await?
            .and_then(|row| row.enabled_at)
            .is_some_and(|since| since < session.created_at))
    }

    /// An admin who logged in with their own second step: what reading other users' data needs
    /// (SEC-31), as acting on it does.
    pub async fn helpdesk() -> Result<(Context, Viewer, ActiveSession), AppError> {
        let (ctx, viewer, session) = admin()?;
        if !own_second_step(&ctx, &session).await? {
            return Err(AppError::OwnTwoFactorRequired);
        }
        Ok((ctx, viewer, session))
    }

    /// An admin about to act on `user`: logged in with their own second step, with their
    /// password within the last minutes (SEC-20), and the user must exist (an unknown id is a
    /// clear message, not a silent success).
    pub async fn acting_on(user: i32) -> Result<(Context, Viewer, ActiveSession), AppError> {
        let (ctx, viewer, session) = helpdesk().await?;
        reauth::require(&ctx, &session, Window::Settings)?;
        // The installation may ask a passkey of whoever resets or unlocks (SEC-34).
        if ctx.settings.admin_requires_passkey
            && session.established_by
                != Some(tweestap_domain::accounts::session::Assurance::Passkey)
        {
            return Err(AppError::PasskeyLoginRequired);
        }
        service::user_state(&ctx, user).await?;
        Ok((ctx, viewer, session))
    }

    pub fn status(method: Option<Method>, enrolling: bool) -> String {
        match method {
            Some(Method::App) => tr!(helpdesk.status.app),
            Some(Method::Sms) => tr!(helpdesk.status.sms),
            Some(Method::Passkey) => tr!(helpdesk.status.passkey),
            None if enrolling => tr!(helpdesk.status.enrolling),
            None => tr!(helpdesk.status.off),
        }
        .to_owned()
    }

    pub fn user_page(user_id: i32) -> String {
        format!("{}/{user_id}", crate::routes::HELPDESK)
    }
}

#[server(prefix = "/api/beheer", endpoint = "helpdesk_overview")]
pub async fn helpdesk_overview() -> Result<Overview, AppError> {
    use tweestap_domain::twofactor::policy::Phase;
    let (ctx, _, _) = server::helpdesk().await?;
    let counts = service::rollout_counts(&ctx).await?;
    let rollout = ctx.settings.rollout;
    Ok(Overview {
        professionals: counts.professionals,
        with_app: counts.with_app,
        with_sms: counts.with_sms,
        with_passkey: counts.with_passkey,
        having_passkeys: counts.having_passkeys,
        without: counts
            .professionals
            .saturating_sub(counts.with_app + counts.with_sms + counts.with_passkey),
        deferred_users: counts.deferred_users,
        deferrals: counts.deferrals,
        not_logged_in_since_start: counts.not_logged_in_since_start,
        optional_from: crate::lang::date(rollout.optional_from),
        mandatory_from: crate::lang::date(rollout.mandatory_from),
        phase: match rollout.phase(ctx.now()) {
            Phase::Before => tr!(helpdesk.phase.before),
            Phase::Optional => tr!(helpdesk.phase.optional),
            Phase::Mandatory => tr!(helpdesk.phase.mandatory),
        }
        .to_owned(),
        days_left: service::days_until_mandatory(&ctx),
        chart: chart::from_history(service::history::history(&ctx).await?, rollout),
    })
}

#[server(prefix = "/api/beheer", endpoint = "helpdesk_search")]
pub async fn helpdesk_search(query: String) -> Result<Vec<UserSummary>, AppError> {
    let (ctx, _, _) = server::helpdesk().await?;
    let mut found = Vec::new();
    for user in service::search(&ctx, &query).await? {
        let row = factor::factor(&ctx, user.id).await?;
        let enabled = row.as_ref().filter(|row| row.enabled_at.is_some());
        found.push(UserSummary {
            id: user.id,
            status: server::status(
                enabled.map(|row| row.method),
                row.is_some() && enabled.is_none(),
            ),
            locked: user.locked_until.is_some_and(|until| until > ctx.now())
                || service::password_locked_until(&ctx, &user).await?.is_some(),
            name: user.display_name,
            email: user.email,
        });
    }
    Ok(found)
}

#[server(prefix = "/api/beheer", endpoint = "helpdesk_user")]
pub async fn helpdesk_user(user: i32) -> Result<UserDetail, AppError> {
    use crate::lang::date_time;
    let (ctx, _, session) = server::helpdesk().await?;
    let state = service::user_state(&ctx, user).await?;
    let events = tweestap_domain::audit::log::recent(&ctx, user, EVENTS_SHOWN)
        .await?
        .into_iter()
        .map(crate::settings::security_log::entry)
        .collect();
    let status = match (&state.factor, &state.sms_number) {
        (Some(_), Some(number)) => tr!(helpdesk.status.sms_to, number = number.clone()).to_string(),
        (factor, _) => server::status(factor.as_ref().map(|row| row.method), state.enrolling),
    };
    Ok(UserDetail {
        id: state.user.id,
        name: state.user.display_name,
        email: state.user.email,
        role: match state.user.role {
            server::Role::Admin => tr!(helpdesk.role.admin),
            server::Role::Professional => tr!(helpdesk.role.professional),
        }
        .to_owned(),
        status,
        enabled_since: state.factor.and_then(|row| row.enabled_at).map(date_time),
        codes_left: state.codes_left,
        remembered_devices: state.remembered_devices,
        passkeys: state
            .passkeys
            .into_iter()
            .map(|row| PasskeySummary {
                name: row.name,
                added: date_time(row.created_at),
                last_used: row.last_used_at.map(date_time),
            })
            .collect(),
        deferrals: state.user.deferrals,
        last_deferred: state.user.last_deferred_at.map(date_time),
        last_login: state.user.last_login_at.map(date_time),
        locked: state.locked_until.map(|until| lock_text(&ctx, until)),
        password_locked: state
            .password_locked_until
            .map(|until| lock_text(&ctx, until)),
        failed_attempts: state.user.failed_attempts,
        events,
        logins: crate::settings::security_log::logins(&ctx, user, None).await?,
        may_act: reauth::is_fresh(&ctx, &session, Window::Settings),
    })
}

/// "tot 25 november 2026 om 14:30 (nog 12 minuten)"
#[cfg(feature = "ssr")]
fn lock_text(ctx: &tweestap_domain::Context, until: chrono::DateTime<chrono::Utc>) -> String {
    let left = crate::words::count(
        service::lock_minutes_left(ctx, until),
        tr!(helpdesk.counted.minute),
        tr!(helpdesk.counted.minutes),
    );
    tr!(
        helpdesk.lock_until,
        until = crate::lang::date_time(until),
        left = left
    )
    .to_string()
}

/// Resets a user's two-step authentication: factors, recovery codes, remembered browsers and
/// sessions go; the admin and the reason are logged, and the user is told (SEC-21).
#[server(prefix = "/api/beheer", endpoint = "helpdesk_reset")]
pub async fn helpdesk_reset(user: i32, reason: String) -> Result<(), AppError> {
    let (ctx, viewer, session) = server::acting_on(user).await?;
    service::reset_two_factor(
        &ctx,
        user,
        &session.user.email,
        &reason,
        Some(&viewer.client),
    )
    .await?;
    tracing::warn!(
        admin_id = session.user.id,
        user_id = user,
        "helpdesk reset from the admin page"
    );
    if user == session.user.id {
        // Their own sessions ended with the reset: off to the login page.
        leptos_axum::redirect(LOGIN);
    } else {
        leptos_axum::redirect(&format!("{}?gedaan=reset", server::user_page(user)));
    }
    Ok(())
}

/// Lifts the locks on the password step and the second step before they run out, with a
/// reason; logged (SEC-21, SEC-25).
#[server(prefix = "/api/beheer", endpoint = "helpdesk_lift_lock")]
pub async fn helpdesk_lift_lock(user: i32, reason: String) -> Result<(), AppError> {
    let (ctx, viewer, session) = server::acting_on(user).await?;
    let lifted = service::lift_lock(
        &ctx,
        user,
        &session.user.email,
        &reason,
        Some(&viewer.client),
    )
    .await?;
    let done = if lifted {
        "blokkering"
    } else {
        "geen-blokkering"
    };
    leptos_axum::redirect(&format!("{}?gedaan={done}", server::user_page(user)));
    Ok(())
}

/// Sets the response's status for an error shown in a page, so that a professional who opens
/// the helpdesk's pages gets a real 403.
fn answer_with(err: &AppError) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(err.status()),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = err;
}

fn error_view(err: AppError) -> AnyView {
    answer_with(&err);
    let own_second_step_first = err == AppError::OwnTwoFactorRequired;
    view! {
        <p role="alert">{err.to_string()}</p>
        // The way there: the wizard, then a new login with the code (SEC-31).
        {own_second_step_first.then(|| view! {
            <p>
                <a class="button primary" href=with_next(WIZARD, &Some(HELPDESK.to_owned()))>
                    {tr!(helpdesk.set_up)}
                </a>
            </p>
        })}
    }
    .into_any()
}

/// Configuratie: the platform's section, with the helpdesk's tools for admins.
#[component]
pub fn ConfigurationPage() -> impl IntoView {
    let admin = move || crate::shell::state::current_user().is_some_and(|user| user.is_admin);
    view! {
        <crate::sections::SectionPage section=crate::sections::CONFIGURATION/>
        {move || admin().then(|| view! {
            <section class="tile" aria-labelledby="tegel-beheer-twee-staps">
                <h2 id="tegel-beheer-twee-staps">{tr!(helpdesk.tile.title)}</h2>
                <p>{tr!(helpdesk.tile.text)}</p>
                <a class="button secondary" href=HELPDESK>{tr!(helpdesk.tile.manage)}</a>
            </section>
        })}
    }
}

/// Configuratie -> "Twee-staps-authenticatie": the rollout and the search.
#[component]
pub fn HelpdeskPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let query_map = use_query_map();
    let query = move || query_map.read().get("zoek").unwrap_or_default();
    let overview = Resource::new(refreshed, |_| helpdesk_overview());
    let results = Resource::new(
        move || {
            let query = query();
            (!query.trim().is_empty()).then_some(query)
        },
        |query| async move {
            match query {
                Some(query) => helpdesk_search(query).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=tr!(helpdesk.page.title)/>
        <h1>{tr!(helpdesk.page.title)}</h1>
        <Transition fallback=|| view! { <p>{tr!(helpdesk.loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <RolloutOverview overview/> }.into_any(),
                    Err(err) => error_view(err)}
            })}
        </Transition>
        <section aria-labelledby="zoeken-titel">
            <h2 id="zoeken-titel">{tr!(helpdesk.page.search_title)}</h2>
            <Form action=HELPDESK attr:role="search" attr:class="search">
                <div class="field">
                    <label for="zoek">{tr!(helpdesk.page.search_label)}</label>
                    <input id="zoek" name="zoek" type="search" maxlength="100" value=query required/>
                </div>
                <button type="submit" class="primary">{tr!(helpdesk.page.search)}</button>
            </Form>
            <Transition fallback=|| view! { <p>{tr!(helpdesk.loading)}</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(users)) if users.is_empty() => view! {
                            <p role="status">{tr!(helpdesk.page.none_found)}</p>
                        }
                        .into_any(),
                        Ok(Some(users)) => view! { <SearchResults users/> }.into_any(),
                        Err(AppError::Forbidden) => error_view(AppError::Forbidden),
                        // Said once, at the top of the page, with the way there.
                        Err(AppError::OwnTwoFactorRequired) => {
                            answer_with(&AppError::OwnTwoFactorRequired);
                            ().into_any()
                        }
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any()}
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RolloutOverview(overview: Overview) -> impl IntoView {
    let chart = match overview.chart {
        Some(chart) => view! { <chart::RolloutChartView chart/> }.into_any(),
        None => view! {
            <p>{tr!(helpdesk.overview.chart_starts, date = overview.optional_from.clone()).to_string()}</p>
        }
        .into_any(),
    };
    let dates = tr!(
        helpdesk.overview.dates,
        optional = overview.optional_from.clone(),
        mandatory = overview.mandatory_from.clone(),
        phase = overview.phase.clone()
    )
    .to_string();
    view! {
        <section class="tile wide" aria-labelledby="uitrol-titel">
            <h2 id="uitrol-titel">{tr!(helpdesk.overview.title)}</h2>
            <p>
                {dates}
                {(overview.days_left > 0).then(|| {
                    let days = crate::words::count(
                        overview.days_left,
                        tr!(helpdesk.counted.day),
                        tr!(helpdesk.counted.days),
                    );
                    format!(" {}", tr!(helpdesk.overview.days_left, days = days))
                })}
            </p>
            <dl class="details counts">
                <dt>{tr!(helpdesk.overview.professionals)}</dt>
                <dd>{overview.professionals}</dd>
                <dt>{tr!(helpdesk.overview.with_app)}</dt>
                <dd>{overview.with_app}</dd>
                <dt>{tr!(helpdesk.overview.with_sms)}</dt>
                <dd>{overview.with_sms}</dd>
                <dt>{tr!(helpdesk.overview.with_passkey)}</dt>
                <dd>{overview.with_passkey}</dd>
                <dt>{tr!(helpdesk.overview.having_passkeys)}</dt>
                <dd>{overview.having_passkeys}</dd>
                <dt>{tr!(helpdesk.overview.without)}</dt>
                <dd>{overview.without}</dd>
                <dt>{tr!(helpdesk.overview.deferred)}</dt>
                <dd>{deferred(overview.deferred_users, overview.deferrals)}</dd>
                <dt>{tr!(helpdesk.overview.not_logged_in)}</dt>
                <dd>{overview.not_logged_in_since_start}</dd>
            </dl>
            <h3>{tr!(helpdesk.overview.per_day)}</h3>
            {chart}
        </section>
    }
}

/// "1 professional, 3 keer in totaal"
fn deferred(users: u64, times: i64) -> String {
    let users = crate::words::count(
        i64::try_from(users).unwrap_or(i64::MAX),
        tr!(helpdesk.counted.professional),
        tr!(helpdesk.counted.professionals),
    );
    let times = crate::words::count(
        times,
        tr!(helpdesk.counted.time),
        tr!(helpdesk.counted.times),
    );
    tr!(
        helpdesk.overview.deferred_count,
        users = users,
        times = times
    )
    .to_string()
}

#[component]
fn SearchResults(users: Vec<UserSummary>) -> impl IntoView {
    view! {
        <table class="log">
            <thead>
                <tr>
                    <th scope="col">{tr!(helpdesk.results.name)}</th>
                    <th scope="col">{tr!(helpdesk.results.email)}</th>
                    <th scope="col">{tr!(helpdesk.results.two_step)}</th>
                </tr>
            </thead>
            <tbody>
                {users.into_iter().map(|user| view! {
                    <tr>
                        <td><a href=format!("{HELPDESK}/{}", user.id)>{user.name}</a></td>
                        <td>{user.email}</td>
                        <td>
                            {if user.locked {
                                tr!(helpdesk.status.locked, status = user.status.clone()).to_string()
                            } else {
                                user.status.clone()
                            }}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What the last action on a user's page did, from the page's address.
fn done_message(done: Option<String>) -> Option<&'static str> {
    match done.as_deref()? {
        "reset" => Some(tr!(helpdesk.done.reset)),
        "blokkering" => Some(tr!(helpdesk.done.unlocked)),
        "geen-blokkering" => Some(tr!(helpdesk.done.not_locked)),
        _ => None,
    }
}

/// Configuratie -> "Twee-staps-authenticatie" -> one professional.
#[component]
pub fn HelpdeskUserPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let params = use_params_map();
    let query = use_query_map();
    let detail = Resource::new(
        move || {
            let id = params
                .read()
                .get("gebruiker")
                .and_then(|id| id.parse::<i32>().ok());
            (id, refreshed())
        },
        |(id, _)| async move {
            match id {
                Some(id) => helpdesk_user(id).await,
                None => Err(AppError::invalid(Invalid::UserUnknown)),
            }
        },
    );
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<HelpdeskReset>(),
        form_error::<HelpdeskLiftLock>(),
    );
    view! {
        <Title text=tr!(helpdesk.user.title)/>
        <p><a href=HELPDESK>{tr!(helpdesk.user.back)}</a></p>
        <Transition fallback=|| view! { <p>{tr!(helpdesk.loading)}</p> }>
            {move || {
                let (password_error, reset_error, lock_error) = errors;
                let done = done_message(query.read().get("gedaan"));
                Suspend::new(async move {
                    match detail.await {
                        Ok(user) => view! {
                            <UserView user done password_error reset_error lock_error/>
                        }
                        .into_any(),
                        Err(err) => view! {
                            <h1>{tr!(helpdesk.user.heading)}</h1>
                            {error_view(err)}
                        }
                        .into_any()}
                })
            }}
        </Transition>
    }
}

#[component]
fn UserView(
    user: UserDetail,
    done: Option<&'static str>,
    password_error: Signal<Option<AppError>>,
    reset_error: Signal<Option<AppError>>,
    lock_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let page = format!("{HELPDESK}/{}", user.id);
    let id = user.id;
    let times = crate::words::count(
        user.deferrals,
        tr!(helpdesk.counted.time),
        tr!(helpdesk.counted.times),
    );
    let deferrals = match user.last_deferred.clone() {
        Some(at) => tr!(helpdesk.user.deferrals_last, times = times, at = at).to_string(),
        None => times,
    };
    view! {
        <h1>{user.name.clone()}</h1>
        {done.map(|message| view! { <p class="success" role="status">{message}</p> })}
        <dl class="details">
            <dt>{tr!(helpdesk.user.email)}</dt>
            <dd>{user.email}</dd>
            <dt>{tr!(helpdesk.user.role)}</dt>
            <dd>{user.role}</dd>
            <dt>{tr!(helpdesk.user.two_step)}</dt>
            <dd>
                {match user.enabled_since {
                    Some(since) => tr!(helpdesk.status.since, status = user.status.clone(), since = since).to_string(),
                    None => user.status.clone(),
                }}
            </dd>
            <dt>{tr!(helpdesk.user.codes_left)}</dt>
            <dd>{user.codes_left}</dd>
            <dt>{tr!(helpdesk.user.remembered_devices)}</dt>
            <dd>{user.remembered_devices}</dd>
            <dt>{tr!(helpdesk.user.passkeys)}</dt>
            <dd>
                {if user.passkeys.is_empty() {
                    view! { {tr!(helpdesk.user.no_passkeys)} }.into_any()
                } else {
                    view! {
                        <ul class="passkeys">
                            {user.passkeys.into_iter().map(|key| view! {
                                <li>
                                    {match key.last_used {
                                        Some(used) => tr!(helpdesk.user.passkey_used, name = key.name.clone(), added = key.added.clone(), used = used).to_string(),
                                        None => tr!(helpdesk.user.passkey_unused, name = key.name.clone(), added = key.added.clone()).to_string(),
                                    }}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </dd>
            <dt>{tr!(helpdesk.user.deferrals)}</dt>
            <dd>{deferrals}</dd>
            <dt>{tr!(helpdesk.user.last_login)}</dt>
            <dd>{user.last_login.unwrap_or_else(|| tr!(helpdesk.user.never).to_owned())}</dd>
            <dt>{tr!(helpdesk.user.lock)}</dt>
            <dd>
                {match user.locked.clone() {
                    Some(until) => tr!(helpdesk.user.locked, until = until).to_string(),
                    None => {
                        let wrong = crate::words::count(
                            user.failed_attempts,
                            tr!(helpdesk.counted.wrong_code),
                            tr!(helpdesk.counted.wrong_codes),
                        );
                        tr!(helpdesk.user.not_locked, wrong = wrong).to_string()
                    }
                }}
            </dd>
            <dt>{tr!(helpdesk.user.password)}</dt>
            <dd>
                {match user.password_locked.clone() {
                    Some(until) => tr!(helpdesk.user.password_locked, until = until).to_string(),
                    None => tr!(helpdesk.user.password_not_locked).to_owned()}}
            </dd>
        </dl>
        <section aria-labelledby="acties-titel">
            <h2 id="acties-titel">{tr!(helpdesk.user.help)}</h2>
            {if user.may_act {
                view! {
                    {(user.locked.is_some() || user.password_locked.is_some()).then(|| view! {
                        <ActionForm action={action::<HelpdeskLiftLock>()} attr:class="action">
                            <h3>{tr!(helpdesk.user.lift_lock)}</h3>
                            <UserAndReason user=id field="reden-blokkering" error=lock_error/>
                            <button type="submit" class="secondary">{tr!(helpdesk.user.lift_lock)}</button>
                        </ActionForm>
                    })}
                    <ActionForm action={action::<HelpdeskReset>()} attr:class="action">
                        <h3>{tr!(helpdesk.user.reset)}</h3>
                        <p>{tr!(helpdesk.user.reset_text)}</p>
                        <UserAndReason user=id field="reden-reset" error=reset_error/>
                        <button type="submit" class="primary">{tr!(helpdesk.user.reset)}</button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! { <PasswordAgain next=page error=password_error/> }.into_any()
            }}
        </section>
        <section aria-labelledby="sessies-titel">
            <h2 id="sessies-titel">{tr!(helpdesk.user.sessions)}</h2>
            {if user.logins.is_empty() {
                view! { <p>{tr!(helpdesk.user.no_sessions)}</p> }.into_any()
            } else {
                view! { <LoginsTable logins=user.logins/> }.into_any()
            }}
        </section>
        <section aria-labelledby="log-titel">
            <h2 id="log-titel">{tr!(helpdesk.user.log)}</h2>
            {if user.events.is_empty() {
                view! { <p>{tr!(helpdesk.user.no_events)}</p> }.into_any()
            } else {
                view! { <LogTable entries=user.events/> }.into_any()
            }}
        </section>
    }
}

/// What each of the helpdesk's actions sends besides itself: whose account, and why (the reason
/// is logged with the action, SEC-21).
#[component]
fn UserAndReason(user: i32, field: &'static str, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <input type="hidden" name="user" value=user/>
        <div class="field">
            <label for=field>{tr!(helpdesk.user.reason)}</label>
            <input id=field name="reason" type="text" maxlength="200" required/>
        </div>
        <FormError error/>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_professional_is_not_professionals() {
        assert_eq!(super::deferred(1, 1), "1 professional, 1 keer in totaal");
        assert_eq!(super::deferred(2, 3), "2 professionals, 3 keer in totaal");
        assert_eq!(super::deferred(0, 0), "0 professionals, 0 keer in totaal");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn in_english_one_time_is_not_one_times() {
        use leptos::prelude::{Owner, provide_context};
        Owner::new().with(|| {
            provide_context(crate::lang::Locale::en);
            assert_eq!(super::deferred(1, 1), "1 professional, 1 time in total");
            assert_eq!(super::deferred(2, 3), "2 professionals, 3 times in total");
        });
    }
}
