//! Passkeys in the wizard and at login. In the wizard a registered passkey switches two-step
//! authentication on, as the app's first code does, with recovery codes. At login a passkey of
//! the user answers the second step, with "Onthoud mij" as for a code.
//!
//! A passkey's refusal does not count against the code attempts (SEC-14): an answer signed by
//! the key cannot be guessed, and the refusal is logged by the passkey service.

use sea_orm::{ActiveModelTrait, Set};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::{Method, app_code::Passed, enrolment, factor, passkey, remembered};
use crate::{
    accounts::{session, session::ActiveSession, users::User},
    client::ClientInfo,
    context::Context,
    db::entity::{passkey as passkey_row, two_factor},
    error::Error,
};

/// The mark a passkey factor keeps in `secret_enc`: there is no secret, and `enable` switches
/// on only the enrolment it was given.
fn mark(key: &passkey_row::Model) -> String {
    format!("passkey:{}", key.credential_id)
}

/// The wizard with a passkey: the browser's answer to the registration this session started
/// adds the passkey and switches two-step authentication on with it, with new recovery codes.
/// Any enrolment in progress with the app or SMS is dropped.
pub async fn enrol(
    ctx: &Context,
    user: &User,
    session_id: i32,
    answer: &RegisterPublicKeyCredential,
    name: &str,
    client: Option<&ClientInfo>,
) -> Result<passkey_row::Model, Error> {
    if factor::is_enabled(ctx, user.id).await? {
        return Err(Error::Forbidden);
    }
    let key = passkey::finish_registration(ctx, user, session_id, answer, name, client).await?;
    enrolment::drop_enrolment(ctx, user.id).await?;
    let mark = mark(&key);
    two_factor::ActiveModel {
        user_id: Set(user.id),
        method: Set(Method::Passkey),
        secret_enc: Set(mark.clone()),
        created_at: Set(ctx.now()),
        enabled_at: Set(None),
        last_step: Set(None),
        pending_codes_enc: Set(None),
    }
    .insert(&ctx.db)
    .await
    // Another tab switched two-step authentication on meanwhile; the passkey stays, as one
    // added in the settings would.
    .map_err(|_| Error::Forbidden)?;
    enrolment::enable(
        ctx,
        user.id,
        None,
        &mark,
        format!("passkey ({})", key.name),
        client,
    )
    .await?;
    tracing::info!(
        user_id = user.id,
        "two-step authentication enabled (passkey)"
    );
    Ok(key)
}

/// The second step at login with a passkey: the browser's answer to the sign-in this session
/// started. The session is completed under a new id (SEC-03) and, with "Onthoud mij", the
/// browser is remembered (SEC-19).
pub async fn pass_login(
    ctx: &Context,
    session: &ActiveSession,
    answer: &PublicKeyCredential,
    remember: Option<remembered::RememberFor>,
    client: &ClientInfo,
) -> Result<Passed, Error> {
    let result = pass(ctx, session, answer, remember, client).await;
    crate::metrics::second_step("passkey", &result);
    result
}

async fn pass(
    ctx: &Context,
    session: &ActiveSession,
    answer: &PublicKeyCredential,
    remember: Option<remembered::RememberFor>,
    client: &ClientInfo,
) -> Result<Passed, Error> {
    let user_id = session.user.id;
    if session.stage != session::SessionStage::PasswordOnly
        || !factor::is_enabled(ctx, user_id).await?
    {
        return Err(Error::Forbidden);
    }
    passkey::finish_authentication(ctx, user_id, session.id, answer, Some(client)).await?;
    let session = session::complete(ctx, session, client, session::Assurance::Passkey)
        .await?
        .ok_or(Error::NotLoggedIn)?;
    let remembered = match remember {
        Some(length) => Some(remembered::remember_browser(ctx, user_id, length, client).await?),
        None => None,
    };
    Ok(Passed {
        session,
        remembered,
    })
}
