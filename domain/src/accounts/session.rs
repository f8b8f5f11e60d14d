//! Server-side sessions. The browser holds a random token in an HttpOnly cookie; the database
//! holds its SHA-256 hash, the user, and the times that bound its life (SEC-17, SEC-18).
//! Our own rather than tower-sessions: its stores keep the session id itself as the key, and
//! the checklist wants only a hash of the token on the server, with stages and rotation.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, Iterable, QueryFilter, Set,
};
use sha2::{Digest, Sha256};

use crate::{
    client::ClientInfo,
    context::Context,
    db::entity::{session, user, user::Model as User},
};

pub use crate::db::entity::session::Assurance;

pub const COOKIE_NAME: &str = "tweestap_sessie";

/// How often `last_seen_at` is written: often enough for the idle timeout, rarely enough that
/// every page load is not a database write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Whether a cookie value can be one of our 256-bit tokens: exactly 43 base64url characters.
/// Anything else is not looked up at all.
pub fn is_token_shaped(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// 256 random bits from the OS, as the cookie carries them. Never logged.
pub struct SessionToken(String);

impl SessionToken {
    fn generate() -> Self {
        Self(URL_SAFE_NO_PAD.encode(crate::crypto::os_random::<32>()))
    }

    pub fn from_cookie(value: &str) -> Option<Self> {
        is_token_shaped(value).then(|| Self(value.to_owned()))
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// The `Set-Cookie` value that gives this token to the browser.
    pub fn cookie(&self) -> String {
        set_cookie(COOKIE_NAME, &self.0, None)
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// The `Set-Cookie` value of the language switch (`lang::COOKIE_NAME`): a year, with the
/// attributes of the other cookies (SEC-17).
pub fn language_cookie(lang: crate::lang::Lang) -> String {
    set_cookie(
        crate::lang::COOKIE_NAME,
        lang.tag(),
        Some(Duration::days(365)),
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removal_cookie() -> String {
    set_cookie(COOKIE_NAME, "", Some(Duration::zero()))
}

/// A `Set-Cookie` value for one of our cookies: HttpOnly, Secure, SameSite=Lax, Path=/
/// (SEC-17), with a Max-Age if given (none: the cookie ends with the browser session).
pub(crate) fn set_cookie(name: &'static str, value: &str, max_age: Option<Duration>) -> String {
    let mut cookie = cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(cookie::SameSite::Lax);
    if let Some(max_age) = max_age {
        cookie = cookie.max_age(cookie::time::Duration::seconds(max_age.num_seconds()));
    }
    cookie.build().to_string()
}

/// How far a login got: see its definition next to the column that stores it.
pub use crate::db::entity::session::SessionStage;

/// A live session and its user, as the request handlers see it.
#[derive(Clone, Debug)]
pub struct ActiveSession {
    pub id: i32,
    pub user: User,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub stage: SessionStage,
    pub password_confirmed_at: Option<DateTime<Utc>>,
    /// The stored hash of the token this request came with: a rotation replaces only that one.
    pub token_hash: String,
    /// How the login was established (SEC-34); `None` before the second step.
    pub established_by: Option<Assurance>,
}

/// Starts a new session for `user`, and returns its token and id. The caller ends the previous
/// one, so that a login always yields a new id (SEC-03).
pub async fn start(
    ctx: &Context,
    user: &User,
    client: &ClientInfo,
    stage: SessionStage,
) -> Result<(SessionToken, i32), sea_orm::DbErr> {
    start_in(&ctx.db, ctx, user, client, stage).await
}

/// `start_as` for a login by the password alone: complete only when the account has no second
/// step.
pub(crate) async fn start_in(
    db: &impl sea_orm::ConnectionTrait,
    ctx: &Context,
    user: &User,
    client: &ClientInfo,
    stage: SessionStage,
) -> Result<(SessionToken, i32), sea_orm::DbErr> {
    let how = (stage == SessionStage::Complete).then_some(Assurance::Password);
    start_as(db, ctx, user, client, stage, how).await
}

/// `start`, in the caller's transaction, with how a complete session was established (SEC-34).
pub(crate) async fn start_as(
    db: &impl sea_orm::ConnectionTrait,
    ctx: &Context,
    user: &User,
    client: &ClientInfo,
    stage: SessionStage,
    established_by: Option<Assurance>,
) -> Result<(SessionToken, i32), sea_orm::DbErr> {
    let token = SessionToken::generate();
    let now = ctx.now();
    // A session that has only given its password lives a short time of its own (SEC-30); the
    // complete session that replaces it ends at the usual time after the login.
    let lifetime = match stage {
        SessionStage::PasswordOnly => ctx.settings.second_step_for,
        SessionStage::Complete => ctx.settings.session_max,
    };
    let row = session::ActiveModel {
        stage: Set(stage),
        // The wizard asks for the password again, as the manual says, whatever the login was.
        password_confirmed_at: Set(None),
        token_hash: Set(token.hash()),
        user_id: Set(user.id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + lifetime),
        ip_address: Set(client.ip_address.clone().map(|ip| truncate(ip, 64))),
        user_agent: Set(client.user_agent.clone().map(|ua| truncate(ua, 512))),
        established_by: Set(established_by),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if let Some(how) = established_by {
        crate::metrics::login_established(how);
    }
    Ok((token, row.id))
}

/// What a session token opens.
#[derive(Debug)]
pub enum Lookup {
    Active(ActiveSession),
    /// The session gave its password but not the second step within its time (SEC-30). It is
    /// gone now; the page says why.
    SecondStepExpired,
    /// Unknown, ended, idle too long or past its absolute lifetime.
    None,
}

impl Lookup {
    pub fn active(self) -> Option<ActiveSession> {
        match self {
            Self::Active(session) => Some(session),
            Self::SecondStepExpired | Self::None => None,
        }
    }
}

/// The live session behind a token, or `None` when it is unknown, idle too long or past its
/// absolute lifetime. Expired sessions are deleted on sight.
pub async fn resolve(
    ctx: &Context,
    token: &SessionToken,
) -> Result<Option<ActiveSession>, sea_orm::DbErr> {
    look_up(ctx, token).await.map(Lookup::active)
}

/// `resolve`, telling a second step that took too long apart from any other end.
pub async fn look_up(ctx: &Context, token: &SessionToken) -> Result<Lookup, sea_orm::DbErr> {
    // Only rows with a stage we know are loaded: a row whose stored stage is anything else
    // would not load into `SessionStage` at all, so it is left out here and the token counts
    // as no session, which is safer still than the lower stage (SEC-01).
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token.hash()))
        .filter(session::Column::Stage.is_in(SessionStage::iter()))
        .find_also_related(user::Entity)
        .one(&ctx.db)
        .await?;
    let Some((row, Some(user))) = found else {
        return Ok(Lookup::None);
    };
    let now = ctx.now();
    if now >= row.expires_at || now - row.last_seen_at >= ctx.settings.session_idle {
        session::Entity::delete_by_id(row.id).exec(&ctx.db).await?;
        return Ok(if row.stage == SessionStage::PasswordOnly {
            Lookup::SecondStepExpired
        } else {
            Lookup::None
        });
    }
    let active = ActiveSession {
        id: row.id,
        user,
        created_at: row.created_at,
        expires_at: row.expires_at,
        stage: row.stage,
        password_confirmed_at: row.password_confirmed_at,
        token_hash: row.token_hash.clone(),
        established_by: row.established_by,
    };
    if now - row.last_seen_at >= TOUCH_EVERY {
        let mut touched = row.into_active_model();
        touched.last_seen_at = Set(now);
        touched.update(&ctx.db).await?;
    }
    Ok(Lookup::Active(active))
}

/// The second step is done: the session is replaced by a complete one with a new id (SEC-03).
/// It ends at the usual time after the login, not at the second step's short end (SEC-30).
/// `None`, and nothing written, when the session has ended
/// meanwhile (a logout in another tab): a passed step does not bring it back.
pub async fn complete(
    ctx: &Context,
    previous: &ActiveSession,
    client: &ClientInfo,
    how: Assurance,
) -> Result<Option<SessionToken>, sea_orm::DbErr> {
    let txn = sea_orm::TransactionTrait::begin(&ctx.db).await?;
    let token = complete_in(&txn, ctx, previous, client, how).await?;
    txn.commit().await?;
    Ok(token)
}

/// `complete`, in the caller's transaction. `how` is the factor that completed it (SEC-34).
pub(crate) async fn complete_in(
    db: &impl sea_orm::ConnectionTrait,
    ctx: &Context,
    previous: &ActiveSession,
    client: &ClientInfo,
    how: Assurance,
) -> Result<Option<SessionToken>, sea_orm::DbErr> {
    let deleted = session::Entity::delete_by_id(previous.id).exec(db).await?;
    if deleted.rows_affected != 1 {
        return Ok(None);
    }
    let token = SessionToken::generate();
    let now = ctx.now();
    let expires_at = match previous.stage {
        SessionStage::PasswordOnly => previous.created_at + ctx.settings.session_max,
        SessionStage::Complete => previous.expires_at,
    };
    session::ActiveModel {
        token_hash: Set(token.hash()),
        user_id: Set(previous.user.id),
        created_at: Set(previous.created_at),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        ip_address: Set(client.ip_address.clone().map(|ip| truncate(ip, 64))),
        user_agent: Set(client.user_agent.clone().map(|ua| truncate(ua, 512))),
        stage: Set(SessionStage::Complete),
        password_confirmed_at: Set(previous.password_confirmed_at),
        established_by: Set(Some(how)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    crate::metrics::login_established(how);
    Ok(Some(token))
}

/// The password was entered (again) in this session: the wizard's first step, a change in the
/// settings, a new password. A privilege change, so the session gets a new token and the old
/// one stops working (SEC-03). The row stays, with what is bound to it (SMS codes, a method
/// change under way). Only the token the request came with is replaced: of two submissions at
/// once, the second gets `None` and sets no cookie, so the browser keeps the one that works.
pub async fn confirm_password(
    db: &impl sea_orm::ConnectionTrait,
    now: DateTime<Utc>,
    session: &ActiveSession,
) -> Result<Option<SessionToken>, sea_orm::DbErr> {
    let token = SessionToken::generate();
    let rotated = session::Entity::update_many()
        .col_expr(
            session::Column::PasswordConfirmedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            session::Column::TokenHash,
            sea_orm::sea_query::Expr::value(token.hash()),
        )
        .filter(session::Column::Id.eq(session.id))
        .filter(session::Column::TokenHash.eq(session.token_hash.clone()))
        .exec(db)
        .await?;
    Ok((rotated.rows_affected == 1).then_some(token))
}

/// Ends a session on the server: its token no longer works anywhere.
/// "Ingelogd blijven": the session counts as used now, whatever `resolve` last wrote, so the idle
/// timeout starts again from this moment.
pub async fn keep_alive(ctx: &Context, session_id: i32) -> Result<(), sea_orm::DbErr> {
    session::Entity::update_many()
        .col_expr(
            session::Column::LastSeenAt,
            sea_orm::sea_query::Expr::value(ctx.now()),
        )
        .filter(session::Column::Id.eq(session_id))
        .exec(&ctx.db)
        .await
        .map(|_| ())
}

pub async fn end(ctx: &Context, session_id: i32) -> Result<(), sea_orm::DbErr> {
    end_in(&ctx.db, session_id).await
}

/// `end`, in the caller's transaction.
pub(crate) async fn end_in(
    db: &impl sea_orm::ConnectionTrait,
    session_id: i32,
) -> Result<(), sea_orm::DbErr> {
    session::Entity::delete_by_id(session_id)
        .exec(db)
        .await
        .map(|_| ())
}

fn truncate(mut value: String, max: usize) -> String {
    if value.len() > max {
        let mut cut = max;
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        value.truncate(cut);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_differ_sec_17() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.0).unwrap().len(), 32);
        assert_ne!(a.0, b.0);
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.0, "the stored form is a hash, not the token");
    }

    #[test]
    fn the_cookie_is_httponly_secure_lax_sec_17() {
        let token = SessionToken::generate();
        let cookie = token.cookie();
        for attribute in ["; Path=/", "; HttpOnly", "; Secure", "; SameSite=Lax"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(cookie.starts_with(&format!("{COOKIE_NAME}={};", token.0)));
        assert!(!cookie.contains("Max-Age") && !cookie.contains("Expires"));
        assert_eq!(
            removal_cookie(),
            format!("{COOKIE_NAME}=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0")
        );
    }

    #[test]
    fn only_well_formed_tokens_are_looked_up() {
        let token = SessionToken::generate();
        assert!(SessionToken::from_cookie(&token.0).is_some());
        assert!(SessionToken::from_cookie("").is_none());
        assert!(SessionToken::from_cookie(&"a".repeat(44)).is_none());
        assert!(SessionToken::from_cookie(&format!("{}%", &token.0[..42])).is_none());
    }

    #[test]
    fn truncates_on_a_character_boundary() {
        assert_eq!(truncate("cliënt".into(), 4), "cli");
        assert_eq!(truncate("kort".into(), 10), "kort");
    }
}

/// The user's logins that are still open, newest first, at most `limit`: when, from where, and
/// how each was established (SEC-34).
pub async fn open_logins(
    ctx: &Context,
    user_id: i32,
    limit: u64,
) -> Result<Vec<session::Model>, sea_orm::DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let now = ctx.now();
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Stage.eq(SessionStage::Complete))
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::LastSeenAt.gt(now - ctx.settings.session_idle))
        .order_by_desc(session::Column::CreatedAt)
        .limit(limit)
        .all(&ctx.db)
        .await
}
