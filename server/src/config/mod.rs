//! Configuration from environment variables, read once at startup by clap (so `server --help`
//! lists them); each value is checked as it is read, and `Config::validate` then reports every
//! problem between variables at once, each with the variable's name. Each group of variables
//! lives in its own file, with its checks and what it sets in the domain's `Settings`.

mod mail;
mod methods;
mod operations;
mod parse;
mod passwords;
mod platform;
mod sessions;
mod sms;
#[cfg(test)]
mod tests;

use tweestap_domain::{crypto::SecretKey, settings::Settings};

pub use self::{
    mail::{CaPem, Mail, MailKind, Security},
    methods::Methods,
    operations::{DEFAULT_DATABASE_URL, KeySource, LogFormat, Operations, Proxies},
    parse::blank_env_is_unset,
    passwords::Passwords,
    platform::Platform,
    sessions::Sessions,
    sms::{Sms, SmsKind},
};

/// The server's configuration. Every option is also a command-line flag, which wins over the
/// variable; the value name is the variable's, so that clap's errors name it. `Debug` prints
/// nothing of it: it holds the secret key, the Twilio token and the SMTP password as given.
// clap makes this doc comment the command's `about` and `long_about` (after each group's);
// `Cli` then sets its own `about` but no `long_about`, so a second paragraph here would become
// the text of `--help`.
#[derive(Clone, clap::Args)]
pub struct Config {
    #[command(flatten)]
    pub operations: Operations,
    #[command(flatten)]
    pub platform: Platform,
    #[command(flatten)]
    pub sessions: Sessions,
    #[command(flatten)]
    pub passwords: Passwords,
    #[command(flatten)]
    pub methods: Methods,
    #[command(flatten)]
    pub sms: Sms,
    #[command(flatten)]
    pub mail: Mail,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// Every problem between variables (and with the secret key), all at once. The platform's
    /// and the password variables have none: each of them is checked as it is read.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let problems = [
            self.operations.problems(),
            self.sessions.problems(),
            self.sms.problems(),
            self.mail.problems(),
        ]
        .concat();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(
                problems.into_iter().map(str::to_owned).collect(),
            ))
        }
    }

    /// The settings for the app, validated, with the key loaded or, in development, made.
    pub fn settings(&self) -> Result<Settings, String> {
        self.validate().map_err(|e| e.to_string())?;
        Ok(self.settings_with_key(self.operations.load_key()?))
    }

    /// The settings with the given key; `validate` has passed.
    fn settings_with_key(&self, secret_key: SecretKey) -> Settings {
        let database_url = &self.operations.database_url;
        let mut settings = Settings::with_key(secret_key);
        self.operations.apply(&mut settings);
        self.platform.apply(&mut settings);
        self.sessions.apply(&mut settings);
        settings.guessing = self.passwords.guessing();
        settings.hashing = self.passwords.hashing();
        settings.methods = self.methods.policy();
        settings.admin_requires_passkey = self.methods.admin_requires_passkey;
        settings.passkey_sign_in = self.methods.passkey_sign_in == methods::OnOff::On;
        settings.sms = self.sms.settings(database_url);
        settings.mail = self.mail.settings(database_url);
        settings
    }
}
