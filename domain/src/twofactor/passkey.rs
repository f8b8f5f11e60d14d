//! Passkeys and security keys (WebAuthn): registering one, signing in with one after the
//! password, listing, renaming and removing them (SEC-33).
//!
//! The library is kanidm's `webauthn-rs`, with its `Passkey` type: user verification (a PIN or
//! a fingerprint on the device) is required at registration and at every sign-in. A ceremony's
//! state, the challenge included, stays on the server between its two requests: in
//! `passkey_ceremonies`, bound to the session that started it, taken out (and so used once) by
//! the request that finishes it, and only for five minutes.
//!
//! The relying party is the configured public origin (`TWEESTAP_PUBLIC_ORIGIN`): its host is
//! the RP ID, and an answer signed for another origin is refused. Without a public origin with a
//! host name (WebAuthn does not work on an IP address) passkeys are not offered.

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    SqlErr, sea_query::OnConflict,
};
use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid,
    Webauthn, WebauthnBuilder, WebauthnError,
};

use webauthn_rs_proto::ResidentKeyRequirement;

use crate::{
    accounts::users::User,
    audit::log::{self, Audited},
    client::ClientInfo,
    context::Context,
    db::entity::{
        passkey,
        passkey_ceremony::{self, Ceremony},
        two_factor::{self, Method},
    },
    error::{Error, Invalid},
};

/// How long a ceremony's challenge may be answered.
pub const CEREMONY_MINUTES: i64 = 5;
/// The longest name a user may give a passkey.
pub const MAX_NAME_CHARS: usize = 64;
/// The most passkeys one user may have: each sign-in sends all of them to the browser.
pub const MAX_PER_USER: u64 = 10;

/// This installation as browsers and keys know it, from the public origin; `None` when there
/// is none, or when its host is an IP address.
pub fn relying_party(ctx: &Context) -> Option<Webauthn> {
    let origin = Url::parse(ctx.settings.public_origin.as_deref()?).ok()?;
    let rp_id = origin.domain()?.to_owned();
    WebauthnBuilder::new(&rp_id, &origin)
        .ok()?
        .rp_name(&ctx.settings.platform_name)
        .build()
        .ok()
}

/// Whether passkeys can be offered here.
pub fn available(ctx: &Context) -> bool {
    relying_party(ctx).is_some()
}

pub(super) fn rp(ctx: &Context) -> Result<Webauthn, Error> {
    relying_party(ctx).ok_or(Error::PasskeyUnavailable)
}

/// The user's passkeys, oldest first.
pub async fn passkeys(ctx: &Context, user_id: i32) -> Result<Vec<passkey::Model>, Error> {
    Ok(passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .order_by_asc(passkey::Column::Id)
        .all(&ctx.db)
        .await?)
}

pub(super) fn credential(row: &passkey::Model) -> Result<Passkey, Error> {
    serde_json::from_str(&row.credential)
        .map_err(|err| Error::Internal(format!("stored passkey {} does not read: {err}", row.id)))
}

/// Keeps a ceremony's state for the session, in place of one of the same kind it started
/// before: one statement, so that two starts at once leave one of them, never a failure.
async fn keep(
    ctx: &Context,
    session_id: i32,
    kind: Ceremony,
    state: &impl serde::Serialize,
) -> Result<(), Error> {
    let state = serde_json::to_string(state)
        .map_err(|err| Error::Internal(format!("passkey ceremony state: {err}")))?;
    passkey_ceremony::Entity::insert(passkey_ceremony::ActiveModel {
        session_id: Set(session_id),
        kind: Set(kind),
        state: Set(state),
        expires_at: Set(ctx.now() + Duration::minutes(CEREMONY_MINUTES)),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            passkey_ceremony::Column::SessionId,
            passkey_ceremony::Column::Kind,
        ])
        .update_columns([
            passkey_ceremony::Column::State,
            passkey_ceremony::Column::ExpiresAt,
        ])
        .to_owned(),
    )
    .exec(&ctx.db)
    .await?;
    Ok(())
}

/// Takes the session's ceremony of `kind` out: whatever the answer, it cannot be used again.
/// `None` when there is none, or when it has expired.
async fn take<T: serde::de::DeserializeOwned>(
    ctx: &Context,
    session_id: i32,
    kind: Ceremony,
) -> Result<Option<T>, Error> {
    let Some(row) = passkey_ceremony::Entity::find()
        .filter(passkey_ceremony::Column::SessionId.eq(session_id))
        .filter(passkey_ceremony::Column::Kind.eq(kind))
        .one(&ctx.db)
        .await?
    else {
        return Ok(None);
    };
    // Deleted by id: of two requests with the same answer only the one that deletes the row
    // goes on.
    let deleted = passkey_ceremony::Entity::delete_by_id(row.id)
        .exec(&ctx.db)
        .await?;
    if deleted.rows_affected == 0 || row.expires_at <= ctx.now() {
        return Ok(None);
    }
    serde_json::from_str(&row.state)
        .map(Some)
        .map_err(|err| Error::Internal(format!("passkey ceremony state: {err}")))
}

/// The user handle of `user`'s passkeys: the one they have, or for the first one derived from
/// the user's id under the server's key. Derived rather than random, so that two first
/// registrations at the same moment (two tabs, two devices) give the same handle; keyed, so
/// that it says nothing about the user to anyone without the key (a handle must not identify
/// the user to the authenticator's holder).
async fn user_handle(ctx: &Context, user_id: i32) -> Result<Uuid, Error> {
    let existing = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .one(&ctx.db)
        .await?;
    Ok(match existing {
        Some(row) => Uuid::parse_str(&row.user_handle)
            .map_err(|err| Error::Internal(format!("passkey user handle: {err}")))?,
        None => {
            let hash = crate::crypto::keyed_hash(
                &ctx.settings.secret_key,
                "passkey-user-handle",
                &user_id.to_string(),
            );
            Uuid::parse_str(&hash[..32])
                .map_err(|err| Error::Internal(format!("passkey user handle: {err}")))?
        }
    })
}

/// A credential's id as stored: base64url without padding, as browsers write it.
pub(super) fn credential_id(raw: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// What the stored `Passkey` says of its sign counter and backup flags (the type has no
/// getters for them).
struct Stored {
    counter: i64,
    backup_eligible: bool,
    backup_state: bool,
}

fn stored(key: &Passkey) -> Result<(String, Stored), Error> {
    let json = serde_json::to_value(key)
        .map_err(|err| Error::Internal(format!("passkey to store: {err}")))?;
    let cred = &json["cred"];
    let flags = Stored {
        counter: cred["counter"].as_i64().unwrap_or(0),
        backup_eligible: cred["backup_eligible"].as_bool().unwrap_or(false),
        backup_state: cred["backup_state"].as_bool().unwrap_or(false),
    };
    Ok((json.to_string(), flags))
}

/// The name a user gave, checked: not empty, at most 64 characters, no control characters.
pub fn checked_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::Invalid(Invalid::PasskeyName));
    }
    Ok(name.to_owned())
}

/// Known authenticators by their AAGUID, for the name suggested after registering. Keys that
/// do not say what they are (an AAGUID of zeros) get none.
const KNOWN_AUTHENTICATORS: [(&str, &str); 12] = [
    (
        "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
        "Google Wachtwoordmanager",
    ),
    ("adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome op Mac"),
    (
        "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
        "iCloud-sleutelhanger",
    ),
    (
        "dd4ec289-e01d-41c9-bb89-70fa845d4bf2",
        "iCloud-sleutelhanger",
    ),
    ("08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello"),
    ("9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello"),
    ("6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello"),
    ("bada5566-a7aa-401f-bd96-45619a55120d", "1Password"),
    ("d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden"),
    ("531126d6-e717-415c-9320-3d9aa6981239", "Dashlane"),
    ("cb69481e-8ff7-4039-93ec-0a2729a154a8", "YubiKey 5"),
    ("ee882879-721c-4913-9775-3dfcce97072a", "YubiKey 5"),
];

/// The name to suggest for a new passkey: the authenticator's, when its AAGUID is known.
pub fn suggested_name(answer: &RegisterPublicKeyCredential) -> Option<&'static str> {
    let aaguid = aaguid(answer.response.attestation_object.as_ref())?;
    KNOWN_AUTHENTICATORS
        .iter()
        .find(|(known, _)| Uuid::parse_str(known).ok() == Some(aaguid))
        .map(|(_, name)| *name)
}

/// The AAGUID in an attestation object: its authenticator data holds the RP ID's hash (32
/// bytes), the flags (1) and the counter (4), then the AAGUID (16).
fn aaguid(attestation_object: &[u8]) -> Option<Uuid> {
    use serde_cbor_2::Value;
    let Value::Map(map) = serde_cbor_2::from_slice::<Value>(attestation_object).ok()? else {
        return None;
    };
    let Some(Value::Bytes(auth_data)) = map.get(&Value::Text("authData".to_owned())) else {
        return None;
    };
    let bytes: [u8; 16] = auth_data.get(37..53)?.try_into().ok()?;
    Some(Uuid::from_bytes(bytes)).filter(|id| !id.is_nil())
}

/// Whether the user has a passkey.
pub async fn has_passkey(ctx: &Context, user_id: i32) -> Result<bool, Error> {
    Ok(passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .count(&ctx.db)
        .await?
        > 0)
}

/// Starts adding a passkey for `user` in `session_id`: the options for the browser's
/// `navigator.credentials.create()`. The user's other passkeys are excluded, so the same key
/// is not registered twice.
pub async fn start_registration(
    ctx: &Context,
    user: &User,
    session_id: i32,
) -> Result<CreationChallengeResponse, Error> {
    let rp = rp(ctx)?;
    // The method policy (SEC-33); `rp` above has checked that passkeys can work here.
    if !ctx.settings.methods.names(Method::Passkey) {
        return Err(Error::MethodNotOffered);
    }
    let count = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user.id))
        .count(&ctx.db)
        .await?;
    if count >= MAX_PER_USER {
        return Err(Error::Invalid(Invalid::PasskeyLimit));
    }
    let handle = user_handle(ctx, user.id).await?;
    let existing = passkeys(ctx, user.id)
        .await?
        .iter()
        .map(credential)
        .map(|key| key.map(|key| key.cred_id().clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let (mut options, state) = rp
        .start_passkey_registration(handle, &user.email, &user.display_name, Some(existing))
        .map_err(|err| Error::Internal(format!("passkey registration options: {err}")))?;
    // A passkey that can also sign in without the email (TWEESTAP_PASSKEY_SIGN_IN) must be
    // discoverable: asked for where the device can, not required, so that a security key with
    // few slots still works as a second step.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Preferred);
    }
    keep(ctx, session_id, Ceremony::Register, &(handle, state)).await?;
    Ok(options)
}

/// Finishes adding a passkey with the browser's answer, under the name the user gave; logged,
/// and the user is told by email (SEC-21, SEC-33).
pub async fn finish_registration(
    ctx: &Context,
    user: &User,
    session_id: i32,
    answer: &RegisterPublicKeyCredential,
    name: &str,
    client: Option<&ClientInfo>,
) -> Result<passkey::Model, Error> {
    let name = checked_name(name)?;
    let rp = rp(ctx)?;
    let Some((handle, state)) =
        take::<(Uuid, PasskeyRegistration)>(ctx, session_id, Ceremony::Register).await?
    else {
        return Err(Error::PasskeyRejected);
    };
    let key = rp
        .finish_passkey_registration(answer, &state)
        .map_err(refused("registration", user.id))?;
    let id = credential_id(key.cred_id());
    let (credential, flags) = stored(&key)?;
    let audited = Audited::begin(ctx).await?;
    let inserted = passkey::ActiveModel {
        user_id: Set(user.id),
        user_handle: Set(handle.to_string()),
        credential_id: Set(id),
        name: Set(name.clone()),
        credential: Set(credential),
        sign_count: Set(flags.counter),
        backup_eligible: Set(flags.backup_eligible),
        backup_state: Set(flags.backup_state),
        created_at: Set(ctx.now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(audited.txn())
    .await;
    let row = match inserted {
        Ok(row) => row,
        // Registered already, by this user or another: one credential, one account.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            audited.rollback().await?;
            return Err(Error::PasskeyRejected);
        }
        Err(err) => return Err(err.into()),
    };
    audited
        .commit(user.id, log::Event::PasskeyAdded, Some(name), client)
        .await?;
    Ok(row)
}

/// Starts the sign-in with a passkey of the user whose password `session_id` has given: the
/// options for `navigator.credentials.get()`, naming only this user's passkeys.
pub async fn start_authentication(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
) -> Result<RequestChallengeResponse, Error> {
    let rp = rp(ctx)?;
    let keys = passkeys(ctx, user_id)
        .await?
        .iter()
        .map(credential)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(Error::PasskeyRejected);
    }
    let (options, state) = rp
        .start_passkey_authentication(&keys)
        .map_err(|err| Error::Internal(format!("passkey sign-in options: {err}")))?;
    keep(ctx, session_id, Ceremony::Login, &state).await?;
    Ok(options)
}

/// Checks the browser's answer to the sign-in started for `session_id`: a passkey of this user,
/// verified, for this origin, with a fresh challenge and a sign counter above the stored one.
/// The counter, flags and time of use are kept. A counter that did not go up is refused and
/// logged as a possibly copied key (SEC-33).
pub async fn finish_authentication(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
    answer: &PublicKeyCredential,
    client: Option<&ClientInfo>,
) -> Result<passkey::Model, Error> {
    let rp = rp(ctx)?;
    let Some(state) = take::<PasskeyAuthentication>(ctx, session_id, Ceremony::Login).await? else {
        return Err(Error::PasskeyRejected);
    };
    let result = match rp.finish_passkey_authentication(answer, &state) {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            let row = row_of(ctx, user_id, &answer.raw_id).await?;
            return Err(counter_went_back(ctx, user_id, row, client).await);
        }
        Err(err) => return Err(refused("sign-in", user_id)(err)),
    };
    // The row of the credential the library checked (not the answer's unchecked `id`).
    let Some(row) = row_of(ctx, user_id, result.cred_id()).await? else {
        return Err(Error::PasskeyRejected);
    };
    record_use(ctx, row, &result, client).await
}

/// Keeps what a checked answer says of its passkey `row`: the counter, the flags and the time
/// of use. The library compared the counter with a copy made when the ceremony began; another
/// sign-in may have raised it since, so a key that counts (above 0) must count on from the
/// latest, and a counter that did not go up is refused and logged (SEC-33).
pub(super) async fn record_use(
    ctx: &Context,
    row: passkey::Model,
    result: &webauthn_rs::prelude::AuthenticationResult,
    client: Option<&ClientInfo>,
) -> Result<passkey::Model, Error> {
    let user_id = row.user_id;
    let counter = i64::from(result.counter());
    let counts = counter > 0 || row.sign_count > 0;
    if counts && counter <= row.sign_count {
        return Err(counter_went_back(ctx, user_id, Some(row), client).await);
    }
    let mut key = credential(&row)?;
    if key.update_credential(result).is_none() {
        return Err(Error::Internal(format!(
            "passkey {} is not the credential that answered",
            row.id
        )));
    }
    let (credential, flags) = stored(&key)?;
    // Compare and set: of two answers at once, the lower count cannot write over the higher.
    let mut update = passkey::Entity::update_many()
        .col_expr(passkey::Column::Credential, credential.into())
        .col_expr(passkey::Column::SignCount, counter.into())
        .col_expr(
            passkey::Column::BackupEligible,
            flags.backup_eligible.into(),
        )
        .col_expr(passkey::Column::BackupState, flags.backup_state.into())
        .col_expr(passkey::Column::LastUsedAt, Some(ctx.now()).into())
        .filter(passkey::Column::Id.eq(row.id));
    update = if counts {
        update.filter(passkey::Column::SignCount.lt(counter))
    } else {
        update.filter(passkey::Column::SignCount.eq(0))
    };
    if update.exec(&ctx.db).await?.rows_affected == 0 {
        // Removed meanwhile, or another answer counted higher first.
        let now = passkey::Entity::find_by_id(row.id).one(&ctx.db).await?;
        return Err(match now {
            Some(row) => counter_went_back(ctx, user_id, Some(row), client).await,
            None => Error::PasskeyRejected,
        });
    }
    passkey::Entity::find_by_id(row.id)
        .one(&ctx.db)
        .await?
        .ok_or(Error::PasskeyRejected)
}

/// Logs a sign counter that did not go up, as possibly a copied key, and answers the refusal.
pub(super) async fn counter_went_back(
    ctx: &Context,
    user_id: i32,
    row: Option<passkey::Model>,
    client: Option<&ClientInfo>,
) -> Error {
    tracing::warn!(
        user_id,
        "passkey sign counter did not go up: possibly a copied key"
    );
    let logged = log::record(
        ctx,
        user_id,
        log::Event::PasskeyCounterWentBack,
        row.map(|row| row.name),
        client,
    )
    .await;
    match logged {
        Ok(()) => Error::PasskeyRejected,
        Err(err) => err,
    }
}

/// The stored passkey of `user_id` with the credential id `raw`.
pub(super) async fn row_of(
    ctx: &Context,
    user_id: i32,
    raw: &[u8],
) -> Result<Option<passkey::Model>, Error> {
    Ok(passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .filter(passkey::Column::CredentialId.eq(credential_id(raw)))
        .one(&ctx.db)
        .await?)
}

/// A refusal by the library: logged for the operator with its reason, answered as one refusal.
pub(super) fn refused(ceremony: &'static str, user_id: i32) -> impl Fn(WebauthnError) -> Error {
    move |err| {
        tracing::info!(user_id, %err, "passkey {ceremony} refused");
        Error::PasskeyRejected
    }
}

/// Renames one of the user's own passkeys.
pub async fn rename(ctx: &Context, user_id: i32, id: i32, name: &str) -> Result<(), Error> {
    let name = checked_name(name)?;
    let Some(row) = passkey::Entity::find_by_id(id)
        .filter(passkey::Column::UserId.eq(user_id))
        .one(&ctx.db)
        .await?
    else {
        return Err(Error::Forbidden);
    };
    let mut update: passkey::ActiveModel = row.into();
    update.name = Set(name);
    update.update(&ctx.db).await?;
    Ok(())
}

/// Removes one of the user's own passkeys; logged, and the user is told (SEC-21, SEC-33). The
/// caller asks for the password first (SEC-20).
pub async fn remove(
    ctx: &Context,
    user_id: i32,
    id: i32,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let audited = Audited::begin(ctx).await?;
    let Some(row) = passkey::Entity::find_by_id(id)
        .filter(passkey::Column::UserId.eq(user_id))
        .one(audited.txn())
        .await?
    else {
        audited.rollback().await?;
        return Err(Error::Forbidden);
    };
    // Two-step authentication with passkeys alone keeps at least one: the last goes with a
    // change of method or with switching off.
    let only_passkeys = two_factor::Entity::find_by_id(user_id)
        .one(audited.txn())
        .await?
        .is_some_and(|f| f.enabled_at.is_some() && f.method == Method::Passkey);
    let count = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .count(audited.txn())
        .await?;
    if only_passkeys && count <= 1 {
        audited.rollback().await?;
        return Err(Error::Invalid(Invalid::PasskeyLast));
    }
    passkey::Entity::delete_by_id(row.id)
        .exec(audited.txn())
        .await?;
    audited
        .commit(user_id, log::Event::PasskeyRemoved, Some(row.name), client)
        .await
}
