//! "Onthoud mij": browsers that are spared the second step for a while (SEC-19), the list of
//! them in the settings, and forgetting them.

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait, sea_query::Expr,
};
use sha2::{Digest, Sha256};

use crate::{
    audit::log,
    client::ClientInfo,
    context::Context,
    crypto,
    db::entity::remembered_device,
    error::{Error, Invalid},
    settings::Settings,
};

pub const REMEMBER_COOKIE: &str = "tweestap_onthouden";

/// The manual's introduction's longer choices, in hours, beside the default length
/// (`TWEESTAP_REMEMBER_HOURS`, the login chapter's 12 hours): 1 dag, 3 dagen, een week.
pub const LONGER_CHOICES_HOURS: [i64; 3] = [24, 72, 168];

/// How long "Onthoud mij" spares the code on a browser: one of the lengths this installation
/// offers, never more than `TWEESTAP_REMEMBER_MAX_HOURS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RememberFor(Duration);

impl RememberFor {
    /// The lengths offered, the default (shortest) first, then the longer choices that are
    /// longer than it and at most the maximum. Only the default when the maximum is below a day.
    pub fn offered(settings: &Settings) -> Vec<Self> {
        let default = settings.remember_for;
        std::iter::once(default)
            .chain(
                LONGER_CHOICES_HOURS
                    .into_iter()
                    .map(Duration::hours)
                    .filter(|length| *length > default && *length <= settings.remember_max),
            )
            .map(Self)
            .collect()
    }

    /// The default length: "Onthoud mij" ticked without a choice.
    pub fn default_for(settings: &Settings) -> Self {
        Self(settings.remember_for)
    }

    /// The length a user chose, in hours: only one that is offered here. A value the page
    /// never offered (a forged form, or a maximum lowered since the page was loaded) is
    /// refused rather than shortened, so that nobody is remembered for a length they did not
    /// choose.
    pub fn choose(settings: &Settings, hours: i64) -> Result<Self, Invalid> {
        Self::offered(settings)
            .into_iter()
            .find(|length| length.hours() == hours)
            .ok_or(Invalid::RememberLength)
    }

    /// "Onthoud mij" ticked: the length chosen, or the default when the page had no choice to
    /// make (it shows one only when more than one length is offered).
    pub fn chosen(settings: &Settings, hours: Option<i64>) -> Result<Self, Invalid> {
        match hours {
            None => Ok(Self::default_for(settings)),
            Some(hours) => Self::choose(settings, hours),
        }
    }

    pub fn hours(self) -> i64 {
        self.0.num_hours()
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

/// A random token for "Onthoud mij" (SEC-19); the database keeps its hash, user and expiry.
pub struct RememberToken(String);

impl RememberToken {
    pub fn from_cookie(value: &str) -> Option<Self> {
        crate::accounts::session::is_token_shaped(value).then(|| Self(value.to_owned()))
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    pub fn cookie(&self, max_age: Duration) -> String {
        crate::accounts::session::set_cookie(REMEMBER_COOKIE, &self.0, Some(max_age))
    }

    /// The cookie's value, as a browser sends it back.
    #[cfg(any(test, feature = "testing"))]
    pub fn value(&self) -> &str {
        &self.0
    }

    /// Whether this token is the one stored as `token_hash`: the browser asking.
    pub fn is(&self, token_hash: &str) -> bool {
        self.hash() == token_hash
    }
}

/// "Onthoud mij": a new token for this browser (`client`), stored as a hash with its expiry
/// (`length` from now), and logged with it in one transaction.
pub async fn remember_browser(
    ctx: &Context,
    user_id: i32,
    length: RememberFor,
    client: &ClientInfo,
) -> Result<RememberToken, Error> {
    let txn = ctx.db.begin().await?;
    let (token, mailed) = remember_in(&txn, ctx, user_id, length, client).await?;
    txn.commit().await?;
    if mailed {
        ctx.mail_kick.kick();
    }
    Ok(token)
}

/// `remember_browser` in the caller's transaction, with its log entry; says whether a mail was
/// queued (the caller wakes the mail worker after its commit).
pub(crate) async fn remember_in(
    txn: &DatabaseTransaction,
    ctx: &Context,
    user_id: i32,
    length: RememberFor,
    client: &ClientInfo,
) -> Result<(RememberToken, bool), Error> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let token = RememberToken(URL_SAFE_NO_PAD.encode(crypto::os_random::<32>()));
    let now = ctx.now();
    remembered_device::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token.hash()),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(now + length.duration()),
        user_agent: Set(client
            .user_agent
            .as_ref()
            .map(|ua| ua.chars().take(512).collect())),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mailed = log::record_in(
        txn,
        ctx,
        user_id,
        log::Event::DeviceRemembered,
        None,
        Some(client),
    )
    .await?;
    Ok((token, mailed))
}

/// Whether this browser's token spares `user_id` the second step: the token must be this
/// user's, unexpired and not revoked.
pub async fn is_remembered(
    ctx: &Context,
    user_id: i32,
    token: &RememberToken,
) -> Result<bool, Error> {
    let now = ctx.now();
    let used = remembered_device::Entity::update_many()
        .col_expr(remembered_device::Column::LastUsedAt, Expr::value(now))
        .filter(remembered_device::Column::TokenHash.eq(token.hash()))
        .filter(remembered_device::Column::UserId.eq(user_id))
        .filter(remembered_device::Column::ExpiresAt.gt(now))
        .exec(&ctx.db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// The browsers that still spare this user the code, newest first.
pub async fn remembered_devices(
    ctx: &Context,
    user_id: i32,
) -> Result<Vec<remembered_device::Model>, Error> {
    use sea_orm::QueryOrder;
    remembered_device::Entity::find()
        .filter(remembered_device::Column::UserId.eq(user_id))
        .filter(remembered_device::Column::ExpiresAt.gt(ctx.now()))
        .order_by_desc(remembered_device::Column::CreatedAt)
        .all(&ctx.db)
        .await
        .map_err(Error::from)
}

/// "Vergeten": one of the user's own remembered browsers (`device_id`), or all of them; another
/// user's browser is never touched. Logged when it forgot any; returns how many.
pub async fn forget_devices(
    ctx: &Context,
    user_id: i32,
    device_id: Option<i32>,
    client: Option<&ClientInfo>,
) -> Result<u64, Error> {
    let mut delete = remembered_device::Entity::delete_many()
        .filter(remembered_device::Column::UserId.eq(user_id));
    if let Some(id) = device_id {
        delete = delete.filter(remembered_device::Column::Id.eq(id));
    }
    let audited = log::Audited::begin(ctx).await?;
    let forgotten = delete.exec(audited.txn()).await?.rows_affected;
    if forgotten == 0 {
        // Nothing forgotten, nothing to log.
        audited.rollback().await?;
        return Ok(0);
    }
    let detail = if device_id.is_some() {
        "één apparaat".to_owned()
    } else {
        format!("alle apparaten ({forgotten})")
    };
    audited
        .commit(user_id, log::Event::DeviceForgotten, Some(detail), client)
        .await?;
    Ok(forgotten)
}
