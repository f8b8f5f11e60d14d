//! The profile, under the user's name at the top right: its card with the tabs Details,
//! Instellingen and Caseload, and the details page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};

use crate::{lang::tr, sections::CASELOAD, shell::state::current_user};

#[component]
pub fn ProfileLayout() -> impl IntoView {
    view! {
        <div class="profile">
            <aside class="profile-card">
                {move || current_user().map(|user| {
                    let initials: String = user
                        .name
                        .split_whitespace()
                        .filter_map(|part| part.chars().next())
                        .filter(|c| c.is_uppercase())
                        .take(2)
                        .collect();
                    view! {
                        <div class="avatar" aria-hidden="true">{initials}</div>
                        <p class="profile-name">{user.name}</p>
                    }
                })}
                <nav aria-label=tr!(common.profile.nav)>
                    <ul class="tabs">
                        <li><A href="/profiel" exact=true>{tr!(common.profile.details)}</A></li>
                        <li><A href=crate::routes::SETTINGS>{tr!(common.profile.settings)}</A></li>
                        <li><A href=CASELOAD.href>{(CASELOAD.title)()}</A></li>
                    </ul>
                </nav>
            </aside>
            <div class="profile-content">
                <Outlet/>
            </div>
        </div>
    }
}

#[component]
pub fn ProfileDetails() -> impl IntoView {
    view! {
        <Title text=tr!(common.profile.details)/>
        <h1>{tr!(common.profile.details)}</h1>
        {move || current_user().map(|user| view! {
            <dl class="details">
                <dt>{tr!(common.profile.name)}</dt>
                <dd>{user.name}</dd>
                <dt>{tr!(common.profile.email)}</dt>
                <dd>{user.email}</dd>
                <dt>{tr!(common.profile.role)}</dt>
                <dd>{if user.is_admin { tr!(common.profile.admin) } else { tr!(common.profile.professional) }}</dd>
            </dl>
        })}
        <crate::shell::language::LanguageChoice/>
    }
}
