//! Security emails (SEC-21): whether they are sent, to which mail server and how safely, and
//! in whose name.

use std::{net::IpAddr, path::PathBuf};

use tweestap_domain::mail::{MailProvider, MailSettings, Mailbox, Smtp, SmtpSecurity};

use super::{
    operations::file_next_to,
    parse::{Trimmed, is_host_name, unmet},
};

/// The mail provider (an outbox file or an SMTP server), the server's security and login, and
/// the sender.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "Mail")]
pub struct Mail {
    /// Security emails. Unset: no mail; `outbox`: mails go to a file; `smtp`: a mail server
    #[arg(
        long,
        env = "TWEESTAP_MAIL_PROVIDER",
        value_name = "TWEESTAP_MAIL_PROVIDER",
        value_parser = Trimmed(clap::builder::EnumValueParser::<MailKind>::new())
    )]
    pub mail_provider: Option<MailKind>,
    /// The mail outbox file (default: mail-outbox.jsonl next to the SQLite file)
    #[arg(
        long,
        env = "TWEESTAP_MAIL_OUTBOX",
        value_name = "TWEESTAP_MAIL_OUTBOX"
    )]
    pub mail_outbox: Option<PathBuf>,
    /// Required with smtp: the mail server's host name or IP address
    #[arg(long, env = "TWEESTAP_SMTP_HOST", value_name = "TWEESTAP_SMTP_HOST", value_parser = smtp_host)]
    pub smtp_host: Option<String>,
    /// `none` only for a server on this machine
    #[arg(
        long,
        env = "TWEESTAP_SMTP_SECURITY",
        value_name = "TWEESTAP_SMTP_SECURITY",
        default_value = "starttls",
        ignore_case = true,
        value_parser = Trimmed(clap::builder::EnumValueParser::<Security>::new())
    )]
    pub smtp_security: Security,
    /// Default: 587 with starttls, 465 with tls, 25 with none
    #[arg(long, env = "TWEESTAP_SMTP_PORT", value_name = "TWEESTAP_SMTP_PORT", value_parser = Trimmed(clap::value_parser!(u16).range(1..)))]
    pub smtp_port: Option<u16>,
    /// Both or neither
    #[arg(
        long,
        env = "TWEESTAP_SMTP_USERNAME",
        value_name = "TWEESTAP_SMTP_USERNAME"
    )]
    pub smtp_username: Option<String>,
    /// Both or neither
    #[arg(
        long,
        env = "TWEESTAP_SMTP_PASSWORD",
        value_name = "TWEESTAP_SMTP_PASSWORD",
        hide_env_values = true
    )]
    pub smtp_password: Option<String>,
    /// A PEM file with the CA certificate(s) of the mail server, trusted besides the public CAs
    #[arg(long, env = "TWEESTAP_SMTP_CA_FILE", value_name = "TWEESTAP_SMTP_CA_FILE", value_parser = ca_file)]
    pub smtp_ca_file: Option<CaPem>,
    /// Required with smtp: the sender, as `PRO Praktijksteun <noreply@praktijk.example.nl>`
    #[arg(long, env = "TWEESTAP_MAIL_FROM", value_name = "TWEESTAP_MAIL_FROM", value_parser = mailbox)]
    pub mail_from: Option<Mailbox>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MailKind {
    Outbox,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Security {
    Starttls,
    Tls,
    #[value(name = "none")]
    Plain,
}

impl From<Security> for SmtpSecurity {
    fn from(security: Security) -> Self {
        match security {
            Security::Starttls => Self::StartTls,
            Security::Tls => Self::Tls,
            Security::Plain => Self::Plain,
        }
    }
}

/// The contents of `TWEESTAP_SMTP_CA_FILE`, read and checked at startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaPem(pub Vec<u8>);

impl Mail {
    /// What an SMTP server needs; the outbox needs nothing.
    pub(super) fn problems(&self) -> Vec<&'static str> {
        if self.mail_provider != Some(MailKind::Smtp) {
            return Vec::new();
        }
        unmet([
            (
                self.smtp_host.is_some(),
                "TWEESTAP_SMTP_HOST is required with TWEESTAP_MAIL_PROVIDER=smtp",
            ),
            // Without TLS the password and every mail could be read and changed on the way;
            // only a server on this machine (a local relay) is reached without a network.
            (
                self.smtp_security != Security::Plain
                    || self
                        .smtp_host
                        .as_deref()
                        .is_none_or(tweestap_domain::mail::is_loopback),
                "TWEESTAP_SMTP_SECURITY=none is only allowed for a server on this machine (localhost, 127.0.0.1 or ::1): use starttls or tls",
            ),
            (
                self.smtp_username.is_some() == self.smtp_password.is_some(),
                "set both TWEESTAP_SMTP_USERNAME and TWEESTAP_SMTP_PASSWORD, or neither",
            ),
            (
                self.mail_from.is_some(),
                "TWEESTAP_MAIL_FROM is required with TWEESTAP_MAIL_PROVIDER=smtp (for example: PRO Praktijksteun <noreply@praktijk.example.nl>)",
            ),
            (
                self.smtp_ca_file.is_none() || self.smtp_security != Security::Plain,
                "TWEESTAP_SMTP_CA_FILE needs TWEESTAP_SMTP_SECURITY=starttls or tls",
            ),
        ])
    }

    /// The mail settings; the outbox is next to the SQLite file unless it is given.
    pub(super) fn settings(&self, database_url: &str) -> MailSettings {
        MailSettings {
            provider: self.provider(database_url),
            ..MailSettings::default()
        }
    }

    fn provider(&self, database_url: &str) -> Option<MailProvider> {
        Some(match self.mail_provider? {
            MailKind::Outbox => MailProvider::Outbox(
                self.mail_outbox
                    .clone()
                    .unwrap_or_else(|| file_next_to(database_url, "mail-outbox.jsonl")),
            ),
            MailKind::Smtp => MailProvider::Smtp(Smtp {
                host: self.smtp_host.clone()?,
                port: self
                    .smtp_port
                    .unwrap_or(SmtpSecurity::from(self.smtp_security).default_port()),
                security: self.smtp_security.into(),
                credentials: self.smtp_username.clone().zip(self.smtp_password.clone()),
                from: self.mail_from.clone()?,
                ca_pem: self.smtp_ca_file.clone().map(|pem| pem.0),
            }),
        })
    }
}

fn smtp_host(value: &str) -> Result<String, String> {
    // An IPv6 address may come in brackets, as in URLs.
    let host = value.trim().trim_start_matches('[').trim_end_matches(']');
    if is_host_name(host) || host.parse::<IpAddr>().is_ok() {
        Ok(host.to_owned())
    } else {
        Err(
            "must be a host name or IP address such as smtp.example.nl, without scheme or port"
                .to_owned(),
        )
    }
}

fn mailbox(value: &str) -> Result<Mailbox, String> {
    value.trim().parse().map_err(|_| {
        "must be a mail address, optionally with a name, such as PRO Praktijksteun <noreply@praktijk.example.nl>".to_owned()
    })
}

fn ca_file(value: &str) -> Result<CaPem, String> {
    let problem = match std::fs::read(value.trim()) {
        Ok(pem) if tweestap_domain::mail::is_ca_pem(&pem) => return Ok(CaPem(pem)),
        Ok(_) => "holds no PEM certificate that can be used",
        Err(_) => "cannot be read",
    };
    Err(format!(
        "must be a PEM file with the CA certificate(s) of the mail server; {value:?} {problem}"
    ))
}
