//! The installation's method policy as configured (`TWEESTAP_METHODS`, `TWEESTAP_SMS_POLICY`):
//! settings only, a leaf that the settings name; `methods` applies it (as `sms/settings.rs` and
//! `sms/limits.rs` split the SMS limits).

use super::Method;

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
