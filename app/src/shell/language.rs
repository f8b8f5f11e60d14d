//! Choosing the language: a switch on the login page and a choice in the profile. Both are
//! plain forms that load the page again in the new language, with or without the app's script.

use leptos::prelude::*;

use crate::lang::{Locale, current, tag};

/// Sets the language: the `taal` cookie for this browser and, for a user who is logged in (past
/// the second step), their stored choice, which their emails and SMS messages follow too. Then
/// back to `volgende`, a path on this site.
#[server(prefix = "/api/open", endpoint = "choose_language")]
pub async fn choose_language(
    taal: String,
    volgende: Option<String>,
) -> Result<(), crate::error::AppError> {
    use crate::{
        error::{AppError, Invalid},
        request::{Viewer, context, set_cookie},
    };
    use tweestap_domain::{Lang, accounts::session::SessionStage};
    let lang = Lang::from_tag(&taal).ok_or(AppError::invalid(Invalid::Malformed))?;
    let ctx = context()?;
    if let Some(session) = Viewer::current()
        .session
        .filter(|session| session.stage != SessionStage::PasswordOnly)
    {
        tweestap_domain::accounts::users::set_language(&ctx, session.user.id, lang).await?;
    }
    set_cookie(&tweestap_domain::accounts::session::language_cookie(lang));
    let back = volgende
        .as_deref()
        .and_then(crate::routes::local_path)
        .unwrap_or(crate::routes::HOME);
    leptos_axum::redirect(back);
    Ok(())
}

/// Where the forms post: the server function's address.
const ACTION: &str = <ChooseLanguage as leptos::server_fn::ServerFn>::PATH;

/// The other languages, each a button that loads this page again in it.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let others = [Locale::nl, Locale::en]
        .into_iter()
        .filter(|locale| *locale != current());
    view! {
        <form method="post" action=ACTION class="language-switch">
            <input type="hidden" name="volgende" value=here/>
            {others
                .map(|locale| {
                    view! {
                        <button type="submit" class="link" name="taal" value=tag(locale) lang=tag(locale)>
                            {own_name(locale)}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}

/// The profile's choice: every language, the current one marked.
#[component]
pub fn LanguageChoice() -> impl IntoView {
    view! {
        <form method="post" action=ACTION class="language-choice">
            <input type="hidden" name="volgende" value="/profiel"/>
            <fieldset>
                <legend>{crate::lang::tr!(common.language.label)}</legend>
                {[Locale::nl, Locale::en]
                    .into_iter()
                    .map(|locale| {
                        view! {
                            <label lang=tag(locale)>
                                <input type="radio" name="taal" value=tag(locale) checked=locale == current()/>
                                " "
                                {own_name(locale)}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit">{crate::lang::tr!(common.language.save)}</button>
        </form>
    }
}

/// A language in its own words, as a switch shows it to someone who cannot read the other.
fn own_name(locale: Locale) -> &'static str {
    match locale {
        Locale::nl => "Nederlands",
        Locale::en => "English",
    }
}
