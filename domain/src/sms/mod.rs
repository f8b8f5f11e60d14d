//! SMS codes, the manual's second method: the codes sent at login, for the enrolment and for a
//! change of method, how they are sent and checked (SEC-09), and the number as an SMS factor
//! keeps it, encrypted and bound to its user (SEC-11). The limits on sending (SEC-10) are in
//! `limits`; enrolling with SMS is in `twofactor::sms_enrolment`.

pub mod limits;
pub mod phone;
pub mod provider;
pub mod settings;

use chrono::Duration;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait, sea_query::Expr,
};

pub use crate::db::entity::sms_code::Purpose;
pub use crate::delivery::SendFailure;
use crate::twofactor::{attempts, factor};
use crate::{
    accounts::users::User,
    client::ClientInfo,
    context::Context,
    crypto,
    db::entity::{
        sms_code,
        sms_send::{self, SendStatus},
        two_factor::{self, Method},
    },
    error::{Error, Invalid},
    lang::Lang,
};
use limits::Refusal;
pub use phone::PhoneNumber;
pub use provider::{SmsProvider, Twilio, TwilioSender};
pub use settings::{SmsLimits, SmsSettings};

/// How long a code works (SEC-09).
pub const CODE_VALID_MINUTES: i64 = 5;
const CODE_DIGITS: usize = 6;

/// The message: short, in the user's language, with the platform's name, and the WebOTP line
/// last so that phones can offer the code for autofill on this site only.
pub fn message(platform: &str, host: &str, code: &str, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!(
            "{code} is je code voor {platform}. De code is {CODE_VALID_MINUTES} minuten geldig. Deel hem met niemand.\n\n@{host} #{code}"
        ),
        Lang::En => format!(
            "{code} is your code for {platform}. The code is valid for {CODE_VALID_MINUTES} minutes. Do not share it with anyone.\n\n@{host} #{code}"
        ),
    }
}

/// Six digits from the OS random source, without modulo bias (SEC-09).
fn new_code() -> String {
    const RANGE: u32 = 1_000_000;
    // The largest multiple of RANGE that fits in a u32: values above it are drawn again.
    const LIMIT: u32 = u32::MAX - (u32::MAX % RANGE);
    loop {
        let value = u32::from_le_bytes(crypto::os_random::<4>());
        if value < LIMIT {
            return format!("{:0width$}", value % RANGE, width = CODE_DIGITS);
        }
    }
}

/// The stored form of a code: bound to the session, the purpose and the number it went to, so
/// that a code sent to one number never confirms another (SEC-11).
fn code_hash(
    ctx: &Context,
    session_id: i32,
    purpose: Purpose,
    number: &PhoneNumber,
    code: &str,
) -> String {
    crypto::keyed_hash(
        &ctx.settings.secret_key,
        "sms-code",
        &format!(
            "{session_id}:{}:{}:{code}",
            purpose.to_value(),
            number.e164()
        ),
    )
}

fn number_context(user_id: i32) -> String {
    format!("sms-number:{user_id}")
}

/// Whether SMS is offered at all.
pub fn available(ctx: &Context) -> bool {
    ctx.settings.sms.provider.is_some()
}

/// The number of an SMS factor.
pub fn number_of(ctx: &Context, row: &two_factor::Model) -> Result<PhoneNumber, Error> {
    open_number(ctx, row.user_id, &row.secret_enc)
}

/// A number as an SMS factor's `secret_enc` holds it: encrypted, bound to its user.
pub(crate) fn seal_number(ctx: &Context, user_id: i32, number: &PhoneNumber) -> String {
    crypto::seal(
        &ctx.settings.secret_key,
        &number_context(user_id),
        number.e164().as_bytes(),
    )
}

pub(crate) fn open_number(
    ctx: &Context,
    user_id: i32,
    secret_enc: &str,
) -> Result<PhoneNumber, Error> {
    crypto::open(
        &ctx.settings.secret_key,
        &number_context(user_id),
        secret_enc,
    )
    .and_then(|plain| String::from_utf8(plain).ok())
    .and_then(PhoneNumber::from_stored)
    .ok_or_else(|| {
        Error::Internal(format!(
            "the SMS number of user {user_id} does not decrypt; was the key changed?"
        ))
    })
}

/// Sends a new code for this session and purpose. The previous one stops working (SEC-09).
/// The provider is asked outside any transaction, in a task of its own with a timeout, and the
/// outcome is recorded; a code whose message did not go out is withdrawn.
pub async fn send_code(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
    purpose: Purpose,
    number: &PhoneNumber,
) -> Result<(), Error> {
    let provider = ctx
        .settings
        .sms
        .provider
        .clone()
        .ok_or(Error::SmsUnavailable)?;
    let send_id = limits::reserve(ctx, user_id, session_id, purpose, number, &provider).await?;
    let code = new_code();
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    sms_code::Entity::delete_many()
        .filter(sms_code::Column::SessionId.eq(session_id))
        .filter(sms_code::Column::Purpose.eq(purpose))
        .exec(&txn)
        .await?;
    let code_row = sms_code::ActiveModel {
        user_id: Set(user_id),
        session_id: Set(session_id),
        purpose: Set(purpose),
        code_hash: Set(code_hash(ctx, session_id, purpose, number, &code)),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(CODE_VALID_MINUTES)),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;

    let lang = crate::db::entity::user::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await?
        .and_then(|user| user.language)
        .unwrap_or_default();
    let body = message(
        &ctx.settings.platform_name,
        &ctx.settings.sms.host,
        &code,
        lang,
    );
    let to = number.e164().to_owned();
    // A task of its own: the send, its record and the withdrawal of an undelivered code
    // complete even if the browser goes away meanwhile.
    let task_ctx = ctx.clone();
    let outcome = tokio::spawn(async move {
        let ctx = task_ctx;
        let outcome = provider
            .send(&to, &body, now, ctx.settings.sms.timeout)
            .await;
        let (status, detail) = match &outcome {
            Ok(reference) => (SendStatus::Sent, reference.clone()),
            Err(failure) => (SendStatus::Failed, Some(failure.detail().to_owned())),
        };
        sms_send::Entity::update_many()
            .col_expr(sms_send::Column::Status, Expr::value(status))
            .col_expr(sms_send::Column::Detail, Expr::value(detail))
            .filter(sms_send::Column::Id.eq(send_id))
            .exec(&ctx.db)
            .await?;
        if outcome.is_err() {
            sms_code::Entity::delete_by_id(code_row.id)
                .exec(&ctx.db)
                .await?;
        }
        Ok::<_, Error>(outcome)
    })
    .await
    .map_err(|err| Error::Internal(format!("the SMS send task did not finish: {err}")))??;
    match outcome {
        Ok(_) => {
            tracing::info!(user_id, purpose = %purpose.to_value(), number = %number.masked(), "SMS code sent");
            crate::metrics::sms("sent");
            Ok(())
        }
        Err(failure) => {
            tracing::warn!(
                user_id,
                purpose = %purpose.to_value(),
                failure = failure.detail(),
                "SMS code not sent"
            );
            crate::metrics::sms("failed");
            Err(Error::SmsNotSent)
        }
    }
}

/// Checks a code sent for this session and purpose: right, unexpired and unused, spent by
/// exactly one request (SEC-09), and counted against the account's attempts like app codes
/// and recovery codes (SEC-14). The number is the user's SMS factor at login, or the number
/// being enrolled.
pub async fn verify_code(
    ctx: &Context,
    user: &User,
    session_id: i32,
    purpose: Purpose,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let number = match purpose {
        Purpose::Login => login_number(ctx, user.id).await?,
        Purpose::Enrol => match factor::pending_enrolment(ctx, user.id, Method::Sms).await? {
            Some(row) => Some(number_of(ctx, &row)?),
            None => None,
        },
        // A change checks its code against the new number itself (`twofactor::change`).
        Purpose::Change => None,
    }
    .ok_or(Error::Forbidden)?;
    let result = verify_code_for(ctx, user, session_id, purpose, &number, input, client).await;
    // The second step at login; codes for enrolment and a change of method are no second step.
    if purpose == Purpose::Login {
        crate::metrics::second_step("sms", &result);
    }
    result
}

pub(crate) async fn verify_code_for(
    ctx: &Context,
    user: &User,
    session_id: i32,
    purpose: Purpose,
    number: &PhoneNumber,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let code =
        crate::twofactor::totp::normalize(input).ok_or(Error::Invalid(Invalid::CodeFormat))?;
    attempts::reserve_attempt(ctx, user.id, client).await?;
    let now = ctx.now();
    let hash = code_hash(ctx, session_id, purpose, number, &code);
    let spent = sms_code::Entity::update_many()
        .col_expr(sms_code::Column::UsedAt, Expr::value(now))
        .filter(sms_code::Column::UserId.eq(user.id))
        .filter(sms_code::Column::SessionId.eq(session_id))
        .filter(sms_code::Column::Purpose.eq(purpose))
        .filter(sms_code::Column::CodeHash.eq(hash.clone()))
        .filter(sms_code::Column::UsedAt.is_null())
        .filter(sms_code::Column::ExpiresAt.gt(now))
        .exec(&ctx.db)
        .await?;
    if spent.rows_affected == 1 {
        return attempts::record_success(ctx, user.id).await;
    }
    attempts::record_failure(ctx, user.id, client).await?;
    let expired = sms_code::Entity::find()
        .filter(sms_code::Column::UserId.eq(user.id))
        .filter(sms_code::Column::SessionId.eq(session_id))
        .filter(sms_code::Column::Purpose.eq(purpose))
        .filter(sms_code::Column::CodeHash.eq(hash))
        .filter(sms_code::Column::UsedAt.is_null())
        .one(&ctx.db)
        .await?
        .is_some();
    Err(if expired {
        Error::SmsCodeExpired
    } else {
        Error::SmsCodeRejected
    })
}

/// Why the latest send for a session sent no code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendProblem {
    NotSent,
    Cooldown,
    Limit,
    Unavailable,
}

impl From<SendProblem> for Error {
    fn from(problem: SendProblem) -> Self {
        match problem {
            SendProblem::NotSent => Self::SmsNotSent,
            SendProblem::Cooldown => Self::SmsCooldown,
            SendProblem::Limit => Self::SmsLimit,
            SendProblem::Unavailable => Self::SmsUnavailable,
        }
    }
}

/// How sending went for this session and purpose: for the code page and the wizard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionSends {
    /// The latest code went out and can be entered.
    pub code_sent: bool,
    /// Why the latest attempt sent nothing, if it did not.
    pub problem: Option<SendProblem>,
}

pub async fn session_sends(
    ctx: &Context,
    session_id: i32,
    purpose: Purpose,
) -> Result<SessionSends, Error> {
    let rows = sms_send::Entity::find()
        .filter(sms_send::Column::SessionId.eq(session_id))
        .filter(sms_send::Column::Purpose.eq(purpose))
        .order_by_desc(sms_send::Column::Id)
        .all(&ctx.db)
        .await?;
    let problem = rows.first().and_then(|row| match row.status {
        SendStatus::Sent | SendStatus::Pending => None,
        SendStatus::Refused => Some(match row.detail.as_deref() {
            Some(detail) if detail == Refusal::Cooldown.detail() => SendProblem::Cooldown,
            Some(detail) if detail == Refusal::InstallationDay.detail() => SendProblem::Unavailable,
            _ => SendProblem::Limit,
        }),
        _ => Some(SendProblem::NotSent),
    });
    // A refusal leaves the code before it in place; a failed send withdrew it.
    let code_sent = rows
        .iter()
        .find(|row| row.status != SendStatus::Refused)
        .is_some_and(|row| row.status != SendStatus::Failed);
    Ok(SessionSends { code_sent, problem })
}

/// The user's SMS factor, if SMS is their method and it is on.
pub async fn login_number(ctx: &Context, user_id: i32) -> Result<Option<PhoneNumber>, Error> {
    match factor::factor(ctx, user_id).await? {
        Some(row) if row.enabled_at.is_some() && row.method == Method::Sms => {
            Ok(Some(number_of(ctx, &row)?))
        }
        _ => Ok(None),
    }
}

/// After a right password, for a user with SMS: one code for this login attempt.
pub async fn send_login_code(ctx: &Context, user_id: i32, session_id: i32) -> Result<(), Error> {
    let number = login_number(ctx, user_id).await?.ok_or(Error::Forbidden)?;
    send_code(ctx, user_id, session_id, Purpose::Login, &number).await
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..200).map(|_| new_code()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(
            codes.len() > 190,
            "200 codes from 10^6 should hardly repeat"
        );
    }

    #[test]
    fn the_message_is_short_dutch_and_ends_with_the_webotp_line() {
        let text = message(
            "PRO Praktijksteun",
            "praktijk.example.nl",
            "123456",
            Lang::Nl,
        );
        assert!(text.starts_with("123456 is je code voor PRO Praktijksteun."));
        assert!(text.ends_with("\n\n@praktijk.example.nl #123456"));
        assert!(
            text.chars().count() <= 160,
            "one SMS: {}",
            text.chars().count()
        );
        assert!(text.is_ascii(), "GSM-7 characters only");
        let english = message(
            "PRO Praktijksteun",
            "praktijk.example.nl",
            "123456",
            Lang::En,
        );
        assert!(english.starts_with("123456 is your code for PRO Praktijksteun."));
        assert!(english.ends_with("\n\n@praktijk.example.nl #123456"));
        assert!(
            english.chars().count() <= 160 && english.is_ascii(),
            "{english}"
        );
    }
}
