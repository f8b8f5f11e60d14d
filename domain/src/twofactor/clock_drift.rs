//! A wrong code from the authenticator app, told apart from a guess when it is the code of a
//! step a few minutes away: the phone's clock is off, and the user hears so. Only a
//! diagnosis: the code stays refused, the attempt stays counted (SEC-14), and the other step
//! is neither accepted nor spent (SEC-06, SEC-07).

use super::totp;
use crate::{audit::log, client::ClientInfo, context::Context, error::Error};

/// The answer to an app code that was not accepted, after its attempt was counted:
/// `ClockDrift` when it is the code of a step up to `totp::DRIFT_STEPS` away (written to the
/// user's security log and counted in the metrics), `CodeRejected` otherwise.
pub(crate) async fn refusal(
    ctx: &Context,
    user_id: i32,
    secret: &[u8],
    code: &str,
    client: Option<&ClientInfo>,
) -> Error {
    let Some(steps) = totp::drift(secret, code, ctx.now().timestamp()) else {
        return Error::CodeRejected;
    };
    let minutes = totp::drift_minutes(steps);
    let ahead = steps > 0;
    if let Err(err) = log::record(
        ctx,
        user_id,
        log::Event::ClockDrift,
        Some(detail(minutes, ahead)),
        client,
    )
    .await
    {
        return err;
    }
    tracing::info!(
        user_id,
        steps,
        "app code refused: the phone's clock seems off"
    );
    crate::metrics::clock_drift(ahead);
    Error::ClockDrift { minutes, ahead }
}

/// "ongeveer 1 minuut voor", "ongeveer 3 minuten achter": the security log's detail.
pub fn detail(minutes: u8, ahead: bool) -> String {
    let unit = if minutes == 1 { "minuut" } else { "minuten" };
    let way = if ahead { "voor" } else { "achter" };
    format!("ongeveer {minutes} {unit} {way}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_detail_says_how_far_and_which_way_with_the_right_plural() {
        assert_eq!(super::detail(1, true), "ongeveer 1 minuut voor");
        assert_eq!(super::detail(3, false), "ongeveer 3 minuten achter");
    }
}
