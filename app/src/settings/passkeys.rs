//! "Passkeys en beveiligingssleutels": the user's passkeys with their kind and dates, adding
//! another, renaming one, and removing one behind the password (SEC-20, SEC-33).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::{
    components::loaded,
    error::{AppError, FormError},
    forms::{action, form_error, refreshed},
    lang::tr,
    passkey::{AddPasskey, PasskeyExplanation, PasskeyRename},
    routes::{METHOD, PASSKEYS, SETTINGS},
    settings::reauth::{PasswordAgain, Reauthenticate},
};
#[cfg(feature = "ssr")]
use crate::{request::logged_in, settings::reauth::fresh_password};
#[cfg(feature = "ssr")]
use tweestap_domain::{
    accounts::reauth::{self, Window},
    twofactor::{Method, factor, passkey},
};

/// A passkey as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyRow {
    pub id: i32,
    pub name: String,
    /// The kind of passkey: one the provider copies to the user's other devices (backup
    /// state), or one that stays on its device or key. Put in words by the page, in its
    /// language.
    pub synced: bool,
    pub added: String,
    pub last_used: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passkeys {
    pub passkeys: Vec<PasskeyRow>,
    /// Whether two-step authentication is on: passkeys are added here only then (before, the
    /// wizard does it).
    pub enabled: bool,
    /// Passkeys are the only method: the last one cannot go.
    pub only_method: bool,
    /// Whether the installation offers passkeys.
    pub available: bool,
    /// Whether the password was entered recently enough to add or remove one.
    pub may_change: bool,
}

#[server(prefix = "/api/methode", endpoint = "passkey_list")]
pub async fn passkey_list() -> Result<Passkeys, AppError> {
    let (ctx, _, session) = logged_in()?;
    let factor = factor::factor(&ctx, session.user.id)
        .await?
        .filter(|row| row.enabled_at.is_some());
    let passkeys = passkey::passkeys(&ctx, session.user.id)
        .await?
        .into_iter()
        .map(|row| PasskeyRow {
            id: row.id,
            synced: row.backup_state,
            added: crate::lang::date_time(row.created_at),
            last_used: row.last_used_at.map(crate::lang::date_time),
            name: row.name,
        })
        .collect();
    Ok(Passkeys {
        passkeys,
        enabled: factor.is_some(),
        only_method: factor.is_some_and(|row| row.method == Method::Passkey),
        available: passkey::available(&ctx),
        may_change: reauth::is_fresh(&ctx, &session, Window::Settings),
    })
}

/// "Verwijderen": one of the user's own passkeys, with the password fresh (SEC-20); not the
/// last one when passkeys are the only method (SEC-33).
#[server(prefix = "/api/ingelogd", endpoint = "passkey_remove")]
pub async fn passkey_remove(id: i32) -> Result<(), AppError> {
    let (ctx, viewer, session) = fresh_password()?;
    passkey::remove(&ctx, session.user.id, id, Some(&viewer.client)).await?;
    leptos_axum::redirect(PASSKEYS);
    Ok(())
}

/// Profile -> Instellingen -> "Passkeys en beveiligingssleutels".
#[component]
pub fn PasskeysPage() -> impl IntoView {
    crate::forms::provide_page_actions();
    let list = Resource::new(refreshed, |_| passkey_list());
    let errors = (
        form_error::<Reauthenticate>(),
        form_error::<PasskeyRemove>(),
    );
    view! {
        <Title text=tr!(settings.passkeys.title)/>
        <h1>{tr!(settings.passkeys.title)}</h1>
        <PasskeyExplanation/>
        {loaded(list, move |state: Passkeys| {
            let (password_error, remove_error) = errors;
            if !state.available {
                return view! { <p>{tr!(settings.passkeys.unavailable)}</p> }.into_any();
            }
            if !state.enabled {
                return view! {
                    <p>{tr!(settings.passkeys.enable_first)}</p>
                }
                .into_any();
            }
            let may_change = state.may_change;
            let last_one = state.only_method && state.passkeys.len() == 1;
            view! {
                {(!may_change).then(|| view! { <PasswordAgain next=PASSKEYS error=password_error/> })}
                <FormError error=remove_error/>
                {last_one.then(|| view! {
                    <p class="warning" role="note">
                        {tr!(settings.passkeys.only_one)}
                    </p>
                })}
                {if state.passkeys.is_empty() {
                    view! { <p>{tr!(settings.passkeys.none)}</p> }.into_any()
                } else {
                    passkey_table(state.passkeys, may_change, last_one).into_any()
                }}
                {may_change.then(|| view! { <AddPasskey label=tr!(settings.passkeys.add)/> })}
                {(!state.only_method).then(|| view! {
                    <p class="hint">{tr!(settings.passkeys.hint)}</p>
                })}
                {state.only_method.then(|| view! {
                    <p><a href=METHOD>{tr!(settings.method.title)}</a></p>
                })}
            }
            .into_any()
        })}
        <p><a href=SETTINGS>{tr!(settings.back_to_settings)}</a></p>
    }
}

fn passkey_table(rows: Vec<PasskeyRow>, may_change: bool, last_one: bool) -> impl IntoView {
    let rename_error = form_error::<PasskeyRename>();
    view! {
        <FormError error=rename_error/>
        <table class="log passkeys">
            <thead>
                <tr>
                    <th scope="col">{tr!(settings.passkeys.name)}</th>
                    <th scope="col">{tr!(settings.passkeys.kind)}</th>
                    <th scope="col">{tr!(settings.passkeys.added)}</th>
                    <th scope="col">{tr!(settings.passkeys.last_used)}</th>
                    <th scope="col"><span class="visually-hidden">{tr!(settings.passkeys.actions)}</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let name = row.name.clone();
                    view! {
                        <tr>
                            <td>{row.name.clone()}</td>
                            <td>{if row.synced { tr!(settings.passkeys.synced) } else { tr!(settings.passkeys.device_only) }}</td>
                            <td>{row.added}</td>
                            <td>{row.last_used.unwrap_or_else(|| tr!(settings.passkeys.never_used).to_owned())}</td>
                            <td>
                                <details class="rename">
                                    <summary aria-label=tr!(settings.passkeys.rename_named, name = name.clone())>{tr!(settings.passkeys.rename)}</summary>
                                    <ActionForm action={action::<PasskeyRename>()}>
                                        <input type="hidden" name="id" value=row.id/>
                                        <label for=format!("naam-{}", row.id)>{tr!(settings.passkeys.new_name)}</label>
                                        <input id=format!("naam-{}", row.id) name="name" type="text" value=row.name maxlength="64" required/>
                                        <button type="submit" class="secondary">{tr!(settings.passkeys.save)}</button>
                                    </ActionForm>
                                </details>
                                {(may_change && !last_one).then(|| view! {
                                    <ActionForm action={action::<PasskeyRemove>()}>
                                        <input type="hidden" name="id" value=row.id/>
                                        <button type="submit" class="link" aria-label=tr!(settings.passkeys.remove_named, name = name.clone())>{tr!(settings.passkeys.remove)}</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
