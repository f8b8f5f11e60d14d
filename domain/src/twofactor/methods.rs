//! Which methods an installation offers (`TWEESTAP_METHODS`) and how it treats SMS
//! (`TWEESTAP_SMS_POLICY`), enforced wherever a new method is chosen: the wizard, "Methode
//! wijzigen" and adding a passkey (SEC-33). A method in use keeps working for login, so that
//! nobody is locked out by a change of policy.

pub use super::method_policy::{MethodPolicy, SmsPolicy};
use super::{Method, factor, passkey, policy::Phase};
use crate::{context::Context, error::Error, sms};

/// Whether `user_id` may choose `method` now: named by the policy, possible here (an SMS
/// provider, a public host name for passkeys) and, for SMS, allowed by the SMS policy.
pub async fn may_choose(ctx: &Context, user_id: i32, method: Method) -> Result<bool, Error> {
    let policy = ctx.settings.methods;
    if !policy.names(method) {
        return Ok(false);
    }
    Ok(match method {
        Method::App => true,
        Method::Passkey => passkey::available(ctx),
        Method::Sms => {
            sms::available(ctx)
                && match policy.sms_policy {
                    SmsPolicy::Allowed => true,
                    SmsPolicy::Off => false,
                    SmsPolicy::Fallback => passkey::has_passkey(ctx, user_id).await?,
                }
        }
    })
}

/// `may_choose`, as a refusal where a new method is set up.
pub async fn require(ctx: &Context, user_id: i32, method: Method) -> Result<(), Error> {
    if may_choose(ctx, user_id, method).await? {
        Ok(())
    } else {
        Err(Error::MethodNotOffered)
    }
}

/// Whether `user_id` is asked to move off SMS (`TWEESTAP_SMS_POLICY=off`): SMS is the method in
/// use and no passkey is beside it. The rollout's dates say whether that is still optional
/// (`Phase::Optional`: "Niet nu" may put it off) or mandatory; before the rollout begins
/// nothing is asked.
pub async fn sms_to_replace(ctx: &Context, user_id: i32) -> Result<Option<Phase>, Error> {
    if ctx.settings.methods.sms_policy != SmsPolicy::Off {
        return Ok(None);
    }
    let on_sms = factor::factor(ctx, user_id)
        .await?
        .is_some_and(|row| row.enabled_at.is_some() && row.method == Method::Sms);
    if !on_sms || passkey::has_passkey(ctx, user_id).await? {
        return Ok(None);
    }
    Ok(match ctx.settings.rollout.phase(ctx.now()) {
        Phase::Before => None,
        phase => Some(phase),
    })
}
