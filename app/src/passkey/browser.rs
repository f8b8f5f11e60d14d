//! The browser's side of a passkey ceremony: `navigator.credentials.create()` and `.get()`
//! with the server's options, and whether the browser has WebAuthn at all. The conversions to
//! and from the browser's objects are `webauthn-rs-proto`'s.

use leptos::{
    prelude::window,
    wasm_bindgen::{JsCast, JsValue},
};
use wasm_bindgen_futures::JsFuture;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use crate::error::AppError;

/// Whether this browser offers WebAuthn (`window.PublicKeyCredential`).
pub fn supported() -> bool {
    js_sys::Reflect::get(&window(), &JsValue::from_str("PublicKeyCredential"))
        .is_ok_and(|class| class.is_function())
}

/// Asks the browser to make a passkey with the server's options.
pub async fn create(
    options: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, AppError> {
    let options: leptos::web_sys::CredentialCreationOptions = options.into();
    let credentials = window().navigator().credentials();
    Ok(answer(credentials.create_with_options(&options))
        .await?
        .into())
}

/// Asks the browser to sign the server's challenge with one of the passkeys it names.
pub async fn get(options: RequestChallengeResponse) -> Result<PublicKeyCredential, AppError> {
    let options: leptos::web_sys::CredentialRequestOptions = options.into();
    let credentials = window().navigator().credentials();
    Ok(answer(credentials.get_with_options(&options)).await?.into())
}

/// Whether the browser can offer passkeys in the email field's autofill (conditional UI).
pub async fn conditional_available() -> bool {
    let Ok(promise) =
        webauthn_rs_proto::PublicKeyCredentialExt::is_conditional_mediation_available()
    else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|available| available.as_bool())
        .unwrap_or(false)
}

/// A sign-in offered in the autofill of the field with `autocomplete="username webauthn"`:
/// pending until the user picks a passkey there, or until `signal` aborts it (the button's own
/// request takes its place).
pub async fn get_conditional(
    mut options: RequestChallengeResponse,
    signal: &leptos::web_sys::AbortSignal,
) -> Result<PublicKeyCredential, AppError> {
    options.mediation = Some(webauthn_rs_proto::Mediation::Conditional);
    let options: leptos::web_sys::CredentialRequestOptions = options.into();
    options.set_signal(signal);
    let credentials = window().navigator().credentials();
    Ok(answer(credentials.get_with_options(&options)).await?.into())
}

/// The credential the browser's `create()` or `get()` promise comes to, or its refusal.
async fn answer(
    promise: Result<js_sys::Promise, JsValue>,
) -> Result<leptos::web_sys::PublicKeyCredential, AppError> {
    if !supported() {
        return Err(AppError::PasskeyBrowser);
    }
    let credential = JsFuture::from(promise.map_err(refusal)?)
        .await
        .map_err(refusal)?;
    credential.dyn_into().map_err(|_| AppError::PasskeyBrowser)
}

/// The browser's refusal in the user's words: closed or timed out, a key registered already,
/// or anything else.
fn refusal(err: JsValue) -> AppError {
    let name = err
        .dyn_ref::<leptos::web_sys::DomException>()
        .map(|exception| exception.name());
    match name.as_deref() {
        Some("NotAllowedError" | "AbortError") => AppError::PasskeyCancelled,
        Some("InvalidStateError") => AppError::PasskeyKnown,
        _ => AppError::PasskeyBrowser,
    }
}
