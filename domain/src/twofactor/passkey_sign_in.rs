//! Passwordless sign-in with a discoverable passkey, from the login page, when the installation
//! allows it (`TWEESTAP_PASSKEY_SIGN_IN=on`). The passkey stands for both factors: something
//! the user has (the key), unlocked by something they know or are (its PIN, fingerprint or
//! face), so user verification is required (SEC-33). The session records it as
//! `Assurance::PasskeyAlone` (SEC-34).
//!
//! The ceremony comes before any session: its state is bound to a random nonce that the browser
//! holds in a short-lived HttpOnly cookie, and only the nonce's hash is stored. As for a second
//! step, the state is used once and only for five minutes.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PublicKeyCredential, RequestChallengeResponse, Uuid,
};

use super::{factor, passkey};
use crate::{
    accounts::{
        session::{self, Assurance, SessionStage, SessionToken},
        users::{self, User},
    },
    client::ClientInfo,
    context::Context,
    crypto,
    db::entity::{passkey as passkey_row, passkey_sign_in, user},
    error::Error,
};

/// The cookie that binds the browser to its sign-in ceremony: the button's, and the autofill's
/// (conditional UI), apart so that one never replaces the other's.
pub const NONCE_COOKIE: &str = "tweestap_passkey_aanmelding";
pub const AUTOFILL_NONCE_COOKIE: &str = "tweestap_passkey_autofill";

/// The cookie's name for the button (`autofill` false) or the autofill.
pub fn cookie_name(autofill: bool) -> &'static str {
    if autofill {
        AUTOFILL_NONCE_COOKIE
    } else {
        NONCE_COOKIE
    }
}

/// Whether passwordless sign-in is offered: allowed by the installation, and passkeys work here.
pub fn offered(ctx: &Context) -> bool {
    ctx.settings.passkey_sign_in
        && ctx.settings.methods.names(super::Method::Passkey)
        && passkey::available(ctx)
}

/// The cookie that carries `nonce` for the ceremony's five minutes.
pub fn nonce_cookie(nonce: &str, autofill: bool) -> String {
    session::set_cookie(
        cookie_name(autofill),
        nonce,
        Some(Duration::minutes(passkey::CEREMONY_MINUTES)),
    )
}

/// The cookie's removal, once the ceremony is done.
pub fn nonce_removal_cookie(autofill: bool) -> String {
    session::set_cookie(cookie_name(autofill), "", Some(Duration::zero()))
}

fn hash(nonce: &str) -> String {
    hex::encode(Sha256::digest(nonce.as_bytes()))
}

/// Starts a sign-in: the options for `navigator.credentials.get()` without a user named (the
/// browser offers the passkeys it has for this site), and the nonce for the cookie.
pub async fn start(ctx: &Context) -> Result<(RequestChallengeResponse, String), Error> {
    if !offered(ctx) {
        return Err(Error::PasskeyUnavailable);
    }
    let rp = passkey::rp(ctx)?;
    let (mut options, state) = rp
        .start_discoverable_authentication()
        .map_err(|err| Error::Internal(format!("passkey sign-in options: {err}")))?;
    // The browser sets the autofill's mediation itself; the button's request shows the
    // browser's own dialog.
    options.mediation = None;
    let state = serde_json::to_string(&state)
        .map_err(|err| Error::Internal(format!("passkey sign-in state: {err}")))?;
    use base64::Engine as _;
    let nonce = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crypto::os_random::<32>());
    let now = ctx.now();
    // Expired ceremonies go as new ones come: the table holds at most five minutes of them.
    passkey_sign_in::Entity::delete_many()
        .filter(passkey_sign_in::Column::ExpiresAt.lte(now))
        .exec(&ctx.db)
        .await?;
    passkey_sign_in::ActiveModel {
        nonce_hash: Set(hash(&nonce)),
        state: Set(state),
        expires_at: Set(now + Duration::minutes(passkey::CEREMONY_MINUTES)),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await?;
    Ok((options, nonce))
}

/// Finishes a sign-in with the browser's answer to the ceremony of `nonce`: a stored passkey,
/// of the user it names, verified, for this origin, with a fresh challenge and a counter that
/// went up. The user gets a complete session. Every refusal is one answer.
pub async fn finish(
    ctx: &Context,
    nonce: Option<&str>,
    answer: &PublicKeyCredential,
    client: &ClientInfo,
) -> Result<(SessionToken, User), Error> {
    let result = sign_in(ctx, nonce, answer, client).await;
    crate::metrics::second_step("passkey", &result);
    result
}

async fn sign_in(
    ctx: &Context,
    nonce: Option<&str>,
    answer: &PublicKeyCredential,
    client: &ClientInfo,
) -> Result<(SessionToken, User), Error> {
    if !offered(ctx) {
        return Err(Error::PasskeyUnavailable);
    }
    let rp = passkey::rp(ctx)?;
    let state = take(ctx, nonce.ok_or(Error::PasskeyRejected)?).await?;
    let (handle, raw_id) = rp
        .identify_discoverable_authentication(answer)
        .map_err(passkey::refused("passwordless sign-in", 0))?;
    let Some(row) = passkey_row::Entity::find()
        .filter(passkey_row::Column::CredentialId.eq(passkey::credential_id(raw_id)))
        .one(&ctx.db)
        .await?
    else {
        return Err(Error::PasskeyRejected);
    };
    // The key names its user by the handle it was registered with: it must be this row's.
    if Uuid::parse_str(&row.user_handle).ok() != Some(handle) {
        return Err(Error::PasskeyRejected);
    }
    let key = passkey::credential(&row)?;
    let checked = match rp.finish_discoverable_authentication_v2(answer, state, &key) {
        Ok(result) => result,
        Err(webauthn_rs::prelude::WebauthnError::CredentialPossibleCompromise) => {
            let user_id = row.user_id;
            return Err(passkey::counter_went_back(ctx, user_id, Some(row), Some(client)).await);
        }
        Err(err) => return Err(passkey::refused("passwordless sign-in", row.user_id)(err)),
    };
    if !checked.user_verified() {
        return Err(Error::PasskeyRejected);
    }
    let row = passkey::record_use(ctx, row, &checked, Some(client)).await?;
    let user = user::Entity::find_by_id(row.user_id)
        .one(&ctx.db)
        .await?
        .ok_or(Error::PasskeyRejected)?;
    // A passkey belongs to a user with two-step authentication on; after a helpdesk reset it
    // is gone anyway.
    if !factor::is_enabled(ctx, user.id).await? {
        return Err(Error::PasskeyRejected);
    }
    let (token, _) = session::start_as(
        &ctx.db,
        ctx,
        &user,
        client,
        SessionStage::Complete,
        Some(Assurance::PasskeyAlone),
    )
    .await?;
    users::record_login(ctx, user.id).await?;
    tracing::info!(user_id = user.id, "signed in with a passkey alone");
    Ok((token, user))
}

/// Takes the ceremony of `nonce` out: whatever the answer, it cannot be used again.
async fn take(ctx: &Context, nonce: &str) -> Result<DiscoverableAuthentication, Error> {
    let Some(row) = passkey_sign_in::Entity::find()
        .filter(passkey_sign_in::Column::NonceHash.eq(hash(nonce)))
        .one(&ctx.db)
        .await?
    else {
        return Err(Error::PasskeyRejected);
    };
    let deleted = passkey_sign_in::Entity::delete_by_id(row.id)
        .exec(&ctx.db)
        .await?;
    if deleted.rows_affected == 0 || row.expires_at <= ctx.now() {
        return Err(Error::PasskeyRejected);
    }
    serde_json::from_str(&row.state)
        .map_err(|err| Error::Internal(format!("passkey sign-in state: {err}")))
}
