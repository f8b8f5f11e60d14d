//! Which methods an installation offers (`TWEESTAP_METHODS`) and how it treats SMS
//! (`TWEESTAP_SMS_POLICY`), enforced wherever a new method is chosen: the wizard, "Methode
//! wijzigen" and adding a passkey (SEC-33). A method in use keeps working for login, so that
//! nobody is locked out by a change of policy.

use super::{Method, passkey};
use crate::{context::Context, error::Error, sms};

/// How SMS is offered (MedMij A.9.4.1 allows it only beside a stronger factor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SmsPolicy {
    /// As any other method.
    #[default]
    Allowed,
    /// Only to a user who also has a passkey, as a way in beside it.
    Fallback,
    /// Not chosen anew; a user who has it keeps logging in with it.
    Off,
}

/// The methods this installation offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MethodPolicy {
    pub app: bool,
    pub sms: bool,
    pub passkey: bool,
    pub sms_policy: SmsPolicy,
}

impl Default for MethodPolicy {
    /// Every method, SMS as any other.
    fn default() -> Self {
        Self {
            app: true,
            sms: true,
            passkey: true,
            sms_policy: SmsPolicy::Allowed,
        }
    }
}

impl MethodPolicy {
    /// Whether `method` is in `TWEESTAP_METHODS`.
    pub fn names(&self, method: Method) -> bool {
        match method {
            Method::App => self.app,
            Method::Sms => self.sms,
            Method::Passkey => self.passkey,
        }
    }
}

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
