//! Profile -> Instellingen: the page of tiles (manual, "Twee-staps-authenticatie inschakelen"
//! starts here).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    forms::refreshed,
    settings::{
        password::PasswordTile,
        security_log::SecurityLogTile,
        tile::{TwoFactorTile, session_overview},
    },
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let overview = Resource::new(refreshed, |_| session_overview());
    view! {
        <Title text="Instellingen"/>
        <h1>"Instellingen"</h1>
        <div class="tiles">
            <TwoFactorTile/>
            <PasswordTile/>
            <SecurityLogTile/>
            <section class="tile" aria-labelledby="tegel-sessie">
                <h2 id="tegel-sessie">"Huidige sessie"</h2>
                <Transition fallback=|| view! { <p>"Laden…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(o) => view! {
                                <p>"Ingelogd sinds " {o.started} "."</p>
                                <p>
                                    "Na " {crate::words::count(o.idle_minutes, "minuut", "minuten")} " zonder activiteit word je automatisch uitgelogd, en uiterlijk op "
                                    {o.ends_at_latest} "."
                                </p>
                            }
                            .into_any(),
                            Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}
