//! Profile -> Instellingen: the page of tiles (manual, "Twee-staps-authenticatie inschakelen"
//! starts here).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    forms::refreshed,
    lang::tr,
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
        <Title text=tr!(settings.page.title)/>
        <h1>{tr!(settings.page.title)}</h1>
        <div class="tiles">
            <TwoFactorTile/>
            <PasswordTile/>
            <SecurityLogTile/>
            <section class="tile" aria-labelledby="tegel-sessie">
                <h2 id="tegel-sessie">{tr!(settings.page.session)}</h2>
                <Transition fallback=|| view! { <p>{tr!(settings.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(o) => view! {
                                <p>{tr!(settings.page.logged_in_since, since = o.started).to_string()}</p>
                                <p>
                                    {tr!(
                                        settings.page.idle,
                                        minutes = crate::words::count(o.idle_minutes, tr!(settings.page.minute), tr!(settings.page.minutes)),
                                        ends = o.ends_at_latest
                                    )
                                    .to_string()}
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
