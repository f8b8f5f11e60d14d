//! Which methods of the second step this installation offers, and how it treats SMS (SEC-33).

use tweestap_domain::twofactor::methods::{MethodPolicy, SmsPolicy};

use super::parse::Trimmed;

/// `TWEESTAP_METHODS` and `TWEESTAP_SMS_POLICY`.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "Methods")]
pub struct Methods {
    /// The methods offered when one is chosen: app, sms, passkey, separated by commas
    #[arg(long, env = "TWEESTAP_METHODS", value_name = "TWEESTAP_METHODS", default_value = "app,sms,passkey", value_parser = method_list)]
    pub methods: MethodList,
    /// `allowed`; `fallback`: SMS only beside a passkey (MedMij); `off`: not chosen anew
    #[arg(
        long,
        env = "TWEESTAP_SMS_POLICY",
        value_name = "TWEESTAP_SMS_POLICY",
        default_value = "allowed",
        value_parser = Trimmed(clap::builder::EnumValueParser::<SmsPolicyName>::new())
    )]
    pub sms_policy: SmsPolicyName,
    /// The helpdesk's resets and unlocks need a login with a passkey
    #[arg(
        long,
        env = "TWEESTAP_ADMIN_REQUIRES_PASSKEY",
        value_name = "TWEESTAP_ADMIN_REQUIRES_PASSKEY",
        default_value_t = false,
        action = clap::ArgAction::Set,
        value_parser = Trimmed(clap::builder::BoolishValueParser::new())
    )]
    pub admin_requires_passkey: bool,
    /// `on`: a discoverable passkey alone signs in from the login page, as both factors
    #[arg(
        long,
        env = "TWEESTAP_PASSKEY_SIGN_IN",
        value_name = "TWEESTAP_PASSKEY_SIGN_IN",
        default_value = "off",
        value_parser = Trimmed(clap::builder::EnumValueParser::<OnOff>::new())
    )]
    pub passkey_sign_in: OnOff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    Off,
    On,
}

/// The methods `TWEESTAP_METHODS` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MethodList {
    pub app: bool,
    pub sms: bool,
    pub passkey: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SmsPolicyName {
    Allowed,
    Fallback,
    Off,
}

impl Methods {
    pub(super) fn policy(&self) -> MethodPolicy {
        MethodPolicy {
            app: self.methods.app,
            sms: self.methods.sms,
            passkey: self.methods.passkey,
            sms_policy: match self.sms_policy {
                SmsPolicyName::Allowed => SmsPolicy::Allowed,
                SmsPolicyName::Fallback => SmsPolicy::Fallback,
                SmsPolicyName::Off => SmsPolicy::Off,
            },
        }
    }
}

/// "app,sms,passkey" in any order, each at most once, at least one.
fn method_list(value: &str) -> Result<MethodList, String> {
    let mut list = MethodList {
        app: false,
        sms: false,
        passkey: false,
    };
    for name in value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let slot = match name.to_ascii_lowercase().as_str() {
            "app" => &mut list.app,
            "sms" => &mut list.sms,
            "passkey" => &mut list.passkey,
            other => {
                return Err(format!(
                    "unknown method {other:?}: name app, sms and/or passkey, separated by commas"
                ));
            }
        };
        if *slot {
            return Err(format!("{name} is named twice"));
        }
        *slot = true;
    }
    if !(list.app || list.sms || list.passkey) {
        return Err("name at least one method: app, sms or passkey".to_owned());
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::method_list;

    #[test]
    fn the_method_list_names_each_method_at_most_once_sec_33() {
        let all = method_list("app, sms,passkey").unwrap();
        assert!(all.app && all.sms && all.passkey);
        let strong = method_list("PASSKEY,app").unwrap();
        assert!(strong.app && !strong.sms && strong.passkey);
        for wrong in ["", " , ", "app,fax", "app,app", "sms;app"] {
            assert!(method_list(wrong).is_err(), "{wrong:?}");
        }
    }
}
