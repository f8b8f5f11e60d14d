//! Forms that work with and without the script. Every form is an `ActionForm`: without the
//! script it posts to its server function, which answers with a redirect (onwards, or back to
//! the form with the error in the address); with the script the same server function is called
//! from the browser, its redirect becomes a client-side navigation and its error appears next to
//! the field. After every action that succeeded, the pages re-read their data from the server.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    sync::{Arc, Mutex},
};

use leptos::prelude::*;
use leptos::server_fn::{
    Http, ServerFn,
    client::Client,
    codec::{Json, PostUrl},
    request::ClientReq,
};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Changes after every action that succeeded: a resource keyed on it reads its data again, so
/// that a page updates in place (a tile switched on, a device forgotten) without a reload.
#[derive(Clone, Copy, Debug)]
pub struct Refresh(pub RwSignal<u64>);

/// The App's refresh counter, for the whole page.
pub fn provide_refresh() {
    provide_context(Refresh(RwSignal::new(0)));
}

/// The refresh counter, tracked: the key of every page's resources.
pub fn refreshed() -> u64 {
    use_context::<Refresh>().map_or(0, |refresh| refresh.0.get())
}

/// One action per server function on a page, shared by the form that posts to it and the place
/// that shows its error.
#[derive(Clone)]
struct PageActions {
    owner: Owner,
    actions: Arc<Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>>,
}

/// Every page starts its own set of actions: an error from another page does not follow the
/// user here.
pub fn provide_page_actions() {
    if let Some(owner) = Owner::current() {
        provide_context(PageActions {
            owner,
            actions: Arc::default(),
        });
    }
}

/// The page's action for server function `S`. Its first value is the error a plain form came
/// back with (from the address), on the server and in the browser alike.
pub fn action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let Some(page) = use_context::<PageActions>() else {
        return new_action::<S>();
    };
    let mut actions = page
        .actions
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(action) = actions
        .get(&TypeId::of::<S>())
        .and_then(|action| action.downcast_ref::<ServerAction<S>>())
    {
        return *action;
    }
    let action = page.owner.with(new_action::<S>);
    actions.insert(TypeId::of::<S>(), Box::new(action));
    action
}

fn new_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    let refresh = use_context::<Refresh>();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if action.version().get() == 0 {
            return;
        }
        let outcome = action.value().with_untracked(|value| match value {
            Some(Ok(_)) => Outcome::Done,
            Some(Err(AppError::NotLoggedIn)) => Outcome::LoggedOut,
            Some(Err(AppError::SecondStepExpired)) => Outcome::SecondStepExpired,
            _ => Outcome::Failed,
        });
        match outcome {
            Outcome::Done => {
                if let Some(Refresh(counter)) = refresh {
                    counter.update(|n| *n += 1);
                }
            }
            // The session ended (idle, logged out in another tab): to the login page.
            Outcome::LoggedOut => navigate(crate::routes::LOGIN, Default::default()),
            // The login page says why (SEC-30).
            Outcome::SecondStepExpired => navigate(
                &crate::routes::second_step_expired_page(),
                Default::default(),
            ),
            Outcome::Failed => {}
        }
    });
    action
}

/// How an action's last call ended, for what follows it.
enum Outcome {
    Done,
    LoggedOut,
    SecondStepExpired,
    /// An error the form shows next to its fields.
    Failed,
}

/// The error of the page's action for `S`, if its last call failed.
pub fn form_error<S>() -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = action::<S>();
    Signal::derive(move || {
        action
            .value()
            .with(|value| value.as_ref()?.as_ref().err().cloned())
    })
}

/// A server function that a shared form component (the resend form, the recovery codes' "Gedaan")
/// posts to: what `ActionForm` asks of it, once.
pub trait FormFn:
    ServerFn<Error = AppError, Protocol = Http<PostUrl, Json>, Client: Client<AppError>>
    + DeserializeOwned
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> FormFn for S where
    S: ServerFn<Error = AppError, Protocol = Http<PostUrl, Json>, Client: Client<AppError>>
        + DeserializeOwned
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The form data the browser's server-function client sends for `S`.
pub type ClientFormData<S> =
    <<<S as ServerFn>::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData;
