//! "Onthoud mij" at the second step, with how long where the installation offers a choice (the
//! manual's introduction: "1 dag, 3 dagen of een week"), and the introduction's sentence that
//! names what is offered.

use leptos::prelude::*;

use crate::{error::AppError, forms::refreshed, lang::tr};
#[cfg(feature = "ssr")]
use crate::{error::Invalid, request::logged_in};
#[cfg(feature = "ssr")]
use tweestap_domain::{settings::Settings, twofactor::remembered::RememberFor};

/// The lengths "Onthoud mij" offers here, in hours, the default (shortest) first: 12, 24, 72
/// and 168 by default, only 12 with `TWEESTAP_REMEMBER_MAX_HOURS=12`.
#[server(prefix = "/api/gedeeld", endpoint = "remember_choices")]
pub async fn remember_choices() -> Result<Vec<i64>, AppError> {
    let (ctx, _, _) = logged_in()?;
    Ok(RememberFor::offered(&ctx.settings)
        .into_iter()
        .map(RememberFor::hours)
        .collect())
}

/// What a second step says about "Onthoud mij": `None` when the box was not ticked, else the
/// chosen length (`hours`; the default when the page had no choice to make). A length not
/// offered here is refused before the code or passkey is looked at, so that nothing is spent on
/// it.
#[cfg(feature = "ssr")]
pub fn chosen_length(
    settings: &Settings,
    remember: bool,
    hours: Option<i64>,
) -> Result<Option<RememberFor>, AppError> {
    if !remember {
        return Ok(None);
    }
    RememberFor::chosen(settings, hours)
        .map(Some)
        .map_err(AppError::from)
}

/// The select's value as a form posts it: blank is no choice, anything but a whole number is
/// not one of the lengths offered.
#[cfg(feature = "ssr")]
pub fn form_hours(value: Option<&str>) -> Result<Option<i64>, AppError> {
    match value.map(str::trim).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(value) => value
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid(Invalid::RememberLength)),
    }
}

/// A length as the page names it: "12 uur", "1 dag", "3 dagen", "een week" (in English "12
/// hours", "1 day", "3 days", "a week").
pub fn length_words(hours: i64) -> String {
    match hours {
        168 => tr!(common.components.remember.week).to_owned(),
        hours if hours > 0 && hours % 24 == 0 => crate::words::count(
            hours / 24,
            tr!(common.components.remember.day),
            tr!(common.components.remember.days),
        ),
        hours => crate::words::count(
            hours,
            tr!(common.components.remember.hour),
            tr!(common.components.remember.hours),
        ),
    }
}

/// The lengths as a list: "12 uur", "12 uur of 1 dag", "12 uur, 1 dag, 3 dagen of een week".
pub fn lengths_words(hours: &[i64]) -> String {
    let words: Vec<String> = hours.iter().copied().map(length_words).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!(
            "{} {} {last}",
            rest.join(", "),
            tr!(common.components.remember.or)
        ),
    }
}

/// The introduction's answer to "Moet ik dat iedere keer gebruiken?", with what is offered.
pub fn explanation(hours: &[i64]) -> String {
    match hours {
        [] | [_] => {
            let length = length_words(hours.first().copied().unwrap_or(12));
            tr!(common.components.remember.explanation_one, length = length).to_string()
        }
        _ => {
            let lengths = lengths_words(hours);
            tr!(
                common.components.remember.explanation_more,
                lengths = lengths
            )
            .to_string()
        }
    }
}

/// The introduction's paragraph on "Onthoud mij", as this installation offers it.
#[component]
pub fn RememberExplanation() -> impl IntoView {
    let choices = Resource::new(refreshed, |_| remember_choices());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let choices = choices.await.unwrap_or_else(|_| vec![12]);
                view! { <p>{explanation(&choices)}</p> }
            })}
        </Transition>
    }
}

/// "Onthoud mij" and, where there is more than one length (`choices`, in hours, the default
/// first), "Hoe lang" beside it: a select the script enables only while the box is ticked.
/// Without the script it stays enabled, and the server reads it only with the box ticked.
/// `remember` and `length` follow the fields, for a step that is not a form (the passkey's).
/// `spare` is what "Onthoud mij" spares, in the page's language (`tr!(login.code.spare)`: "geen
/// code vragen"), for the box's label.
#[component]
pub fn RememberMe(
    choices: Vec<i64>,
    spare: &'static str,
    #[prop(optional)] remember: Option<RwSignal<bool>>,
    #[prop(optional)] length: Option<RwSignal<Option<i64>>>,
) -> impl IntoView {
    let remember = remember.unwrap_or_else(|| RwSignal::new(false));
    let length = length.unwrap_or_else(|| RwSignal::new(None));
    let check = NodeRef::<leptos::html::Input>::new();
    let select = NodeRef::<leptos::html::Select>::new();
    // False on the server and while hydrating, so that both render the select enabled.
    let scripted = RwSignal::new(false);
    let first = choices.first().copied();
    let choice = (choices.len() > 1).then(|| choices.clone());
    // What the user did before the script was there stays: a ticked box, a chosen length.
    Effect::new(move |_| {
        if let Some(check) = check.get() {
            remember.set(check.checked());
        }
        if let Some(select) = select.get() {
            length.set(select.value().parse().ok());
        }
        scripted.set(true);
    });
    let label = match &choice {
        Some(_) => tr!(common.components.remember.label, spare = spare).to_string(),
        None => {
            let length = length_words(first.unwrap_or(12));
            tr!(
                common.components.remember.label_length,
                length = length,
                spare = spare
            )
            .to_string()
        }
    };
    view! {
        <div class="check">
            <input id="remember" type="checkbox" name="remember" node_ref=check on:change=move |event| remember.set(event_target_checked(&event))/>
            <label for="remember">{label}</label>
        </div>
        {choice.map(|choices| view! {
            <div class="remember-length">
                <label for="remember-hours">{tr!(common.components.remember.how_long)}</label>
                <select id="remember-hours" name="remember_hours" node_ref=select
                    disabled=move || scripted.get() && !remember.get()
                    on:change=move |event| length.set(event_target_value(&event).parse().ok())>
                    {choices.into_iter().map(|hours| view! {
                        <option value=hours selected=Some(hours) == first>{length_words(hours)}</option>
                    }).collect_view()}
                </select>
            </div>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_named_as_the_manual_does() {
        assert_eq!(length_words(12), "12 uur");
        assert_eq!(length_words(24), "1 dag");
        assert_eq!(length_words(72), "3 dagen");
        assert_eq!(length_words(168), "een week");
        assert_eq!(length_words(8), "8 uur");
        assert_eq!(
            lengths_words(&[12, 24, 72, 168]),
            "12 uur, 1 dag, 3 dagen of een week"
        );
        assert_eq!(lengths_words(&[12, 24]), "12 uur of 1 dag");
        assert_eq!(lengths_words(&[12]), "12 uur");
    }

    #[test]
    fn the_introduction_says_what_is_offered() {
        let all = explanation(&[12, 24, 72, 168]);
        assert!(
            all.contains("instellen dat je 12 uur, 1 dag, 3 dagen of een week onthouden wilt worden op dat apparaat."),
            "{all}"
        );
        let one = explanation(&[12]);
        assert!(
            one.contains(
                "dan wordt er op dat apparaat 12 uur lang niet om een authenticatie-code gevraagd."
            ),
            "{one}"
        );
        assert!(!one.contains("een week"), "{one}");
    }

    #[test]
    fn english_pages_name_the_lengths_in_english() {
        Owner::new().with(|| {
            crate::lang::set_current(crate::lang::Locale::en);
            assert_eq!(
                lengths_words(&[12, 24, 72, 168]),
                "12 hours, 1 day, 3 days or a week"
            );
            assert_eq!(length_words(1), "1 hour");
            let one = explanation(&[12]);
            assert!(
                one.contains(
                    "not be asked for an authentication code on that device for 12 hours."
                ),
                "{one}"
            );
            let all = explanation(&[12, 24]);
            assert!(
                all.contains("remembered on that device for 12 hours or 1 day."),
                "{all}"
            );
        });
    }
}
