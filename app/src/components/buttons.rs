//! Buttons that only the browser can work: copying to the clipboard, printing and the countdown
//! before a new SMS code. Without the script they are rendered as the server saw them.

use leptos::prelude::*;

use crate::lang::tr;

/// Copies `text` to the clipboard and says so.
#[component]
pub fn CopyButton(text: String, label: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&text);
        copied.set(true);
    };
    view! {
        <button type="button" class="secondary" on:click=copy>
            {move || if copied.get() { tr!(common.components.buttons.copied).to_owned() } else { label.clone() }}
        </button>
    }
}

/// Opens the browser's print dialog; the print style shows only the codes.
#[component]
pub fn PrintButton() -> impl IntoView {
    view! {
        <button type="button" class="secondary" on:click=|_| { let _ = window().print(); }>
            {tr!(common.components.buttons.print)}
        </button>
    }
}

/// "Code opnieuw versturen", enabled once the cooldown has run out, with the seconds counting
/// down in view (SEC-10). Without scripts the button is rendered as the server saw it.
#[component]
pub fn ResendButton(seconds: i64) -> impl IntoView {
    let left = RwSignal::new(seconds.max(0));
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || left.update(|left| *left = (*left - 1).max(0)),
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    let waiting = move || left.get() > 0;
    view! {
        <button type="submit" class="secondary" disabled=waiting>
            {tr!(common.components.buttons.resend)}
        </button>
        <span class="countdown">
            {move || {
                let left = left.get();
                (left > 0).then(|| resend_wait(left))
            }}
        </span>
    }
}

/// "Je kunt over 1 seconde een nieuwe code laten versturen."
fn resend_wait(left: i64) -> String {
    let time = crate::words::count(
        left,
        tr!(common.components.buttons.second),
        tr!(common.components.buttons.seconds),
    );
    tr!(common.components.buttons.resend_wait, time = time).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_last_second_is_one_seconde() {
        assert_eq!(
            super::resend_wait(30),
            "Je kunt over 30 seconden een nieuwe code laten versturen."
        );
        assert_eq!(
            super::resend_wait(1),
            "Je kunt over 1 seconde een nieuwe code laten versturen."
        );
    }
}
