//! Passwordless sign-in on the login page (`TWEESTAP_PASSKEY_SIGN_IN=on`, SEC-33, SEC-34): the
//! button "Inloggen met een passkey", and the passkeys the browser offers in the email field's
//! autofill (conditional UI).
//!
//! The login page is the first load, so it carries only the button, which the server renders
//! hidden. Once the page has its script, the browser has WebAuthn and the installation offers
//! sign-in, the button shows and the autofill starts. The ceremony (the options, the browser's
//! conversions, the answer in JSON) is a chunk of its own, fetched when the autofill starts or
//! the button is used. Nothing here depends on the server's answer while the page hydrates:
//! server and browser render the same hidden button, and only then does the browser ask.

use leptos::prelude::*;

use crate::{
    error::{AppError, FormError},
    lang::tr,
};

/// "Inloggen met een passkey", with the passkeys in the email field's autofill where the
/// browser has that. The button's request takes the autofill's place.
#[component]
pub fn PasswordlessSignIn() -> impl IntoView {
    let shown = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    // Where the browser goes after the sign-in: read now, while the page's context is there.
    let next = crate::components::next_from_query();
    #[cfg(feature = "hydrate")]
    let autofill = client::Autofill::new();
    // The autofill's request would outlive the page: the browser allows one at a time, and the
    // second step's passkey comes next.
    #[cfg(feature = "hydrate")]
    on_cleanup(move || autofill.stop());
    #[cfg(feature = "hydrate")]
    Effect::new({
        let next = next.clone();
        move |_| {
            let next = next.clone();
            leptos::task::spawn_local(async move {
                let offered = super::browser::supported()
                    && super::passkey_sign_in_offered().await.unwrap_or(false);
                // `try_set` hands the value back when the page has gone meanwhile.
                if offered && shown.try_set(true).is_none() {
                    autofill.start(error, next);
                }
            });
        }
    });
    let start = move |_| {
        busy.set(true);
        error.set(None);
        #[cfg(feature = "hydrate")]
        {
            autofill.stop();
            let next = next.clone();
            leptos::task::spawn_local(async move {
                // On success the server's redirect takes the browser on.
                let result = client::sign_in(None, next).await;
                busy.try_set(false);
                if let Err(err) = result {
                    error.try_set(Some(err));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &next;
    };
    view! {
        <div class="passkey-sign-in" hidden=move || !shown.get()>
            <p class="or">{tr!(login.passkey_sign_in.or)}</p>
            <FormError error/>
            <button type="button" class="secondary" on:click=start disabled=move || busy.get()>
                {move || if busy.get() { tr!(login.passkey_sign_in.waiting) } else { tr!(login.passkey_sign_in.button) }}
            </button>
            <p class="hint">
                {tr!(login.passkey_sign_in.hint)}
            </p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use std::{future::Future, pin::Pin};

    use leptos::{prelude::*, web_sys::AbortController};

    use super::super::{browser, passkey_sign_in, passkey_sign_in_options};
    use crate::error::AppError;

    /// The autofill's request: started once, stopped (and kept from starting) when the button
    /// is used. Every access allows for the page having gone meanwhile.
    #[derive(Clone, Copy)]
    pub struct Autofill {
        controller: StoredValue<Option<AbortController>, LocalStorage>,
        stopped: StoredValue<bool>,
    }

    impl Autofill {
        pub fn new() -> Self {
            Autofill {
                controller: StoredValue::new_local(None),
                stopped: StoredValue::new(false),
            }
        }

        fn stopped(self) -> bool {
            self.stopped.try_get_value().unwrap_or(true)
        }

        /// Offers the passkeys in the autofill, where the browser can; a refusal other than
        /// the user looking away lands in `error`.
        pub fn start(self, error: RwSignal<Option<AppError>>, next: Option<String>) {
            leptos::task::spawn_local(async move {
                match sign_in(Some(self), next).await {
                    Ok(()) | Err(AppError::PasskeyCancelled) => {}
                    Err(err) if !self.stopped() => {
                        error.try_set(Some(err));
                    }
                    Err(_) => {}
                }
            });
        }

        pub fn stop(self) {
            self.stopped.try_set_value(true);
            if let Some(Some(controller)) = self.controller.try_get_value() {
                controller.abort();
            }
        }

        /// The autofill's abort signal, once it may start: the browser has conditional UI and
        /// the button has not been used. `PasskeyCancelled` otherwise.
        async fn signal(self) -> Result<leptos::web_sys::AbortSignal, AppError> {
            if !browser::conditional_available().await || self.stopped() {
                return Err(AppError::PasskeyCancelled);
            }
            let controller = AbortController::new().map_err(|_| AppError::PasskeyBrowser)?;
            let signal = controller.signal();
            match self.controller.try_set_value(Some(controller)) {
                None => Ok(signal),
                Some(_) => Err(AppError::PasskeyCancelled),
            }
        }
    }

    /// The ceremony from the options to the server's answer: with the button (`autofill`
    /// none) or in the autofill.
    pub async fn sign_in(autofill: Option<Autofill>, next: Option<String>) -> Result<(), AppError> {
        ceremony(autofill, next).await?.await
    }

    type Ceremony = Pin<Box<dyn Future<Output = Result<(), AppError>>>>;

    // Its own chunk, so that the login page's first load does not carry the conversions and
    // the codecs; a chunk that cannot be fetched is a network error, never a panic.
    #[leptos::wasm_split::wasm_split(
        passkey_sign_in_chunk,
        wasm_split_path = ::leptos::wasm_split,
        fallible
    )]
    fn ceremony(autofill: Option<Autofill>, next: Option<String>) -> Result<Ceremony, AppError> {
        Ok(Box::pin(async move {
            let from_autofill = autofill.is_some();
            let signal = match autofill {
                Some(autofill) => Some(autofill.signal().await?),
                None => None,
            };
            let options = passkey_sign_in_options(from_autofill).await?;
            let answer = match signal {
                Some(signal) => browser::get_conditional(options, &signal).await?,
                None => browser::get(options).await?,
            };
            passkey_sign_in(answer, from_autofill, next).await
        }))
    }
}
