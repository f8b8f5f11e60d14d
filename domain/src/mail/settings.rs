//! Security emails as configured: the provider (none, an outbox file, or SMTP) and the
//! sender.

use std::{net::IpAddr, path::PathBuf};

pub use lettre::message::Mailbox;

/// Mail as configured (`TWEESTAP_MAIL_PROVIDER`); no provider: no mail is queued or sent.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub provider: Option<MailProvider>,
    /// How long one send may take, connecting and every SMTP command included.
    pub timeout: std::time::Duration,
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum MailProvider {
    /// Development and tests: each mail is appended to this file as one JSON line.
    Outbox(PathBuf),
    Smtp(Smtp),
}

/// A mail server to submit to.
#[derive(Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    /// The sender, as `PRO Praktijksteun <noreply@praktijk.example.nl>`.
    pub from: Mailbox,
    /// CA certificates (PEM) trusted for this server besides the public ones: for a mail
    /// server with a certificate from the organisation's own CA (`TWEESTAP_SMTP_CA_FILE`).
    pub ca_pem: Option<Vec<u8>>,
}

/// Whether `pem` holds at least one certificate that TLS can use as a root: checked the way a
/// send will use it, so that a broken file is refused at startup instead of failing every mail.
pub fn is_ca_pem(pem: &[u8]) -> bool {
    use lettre::transport::smtp::client::{Certificate, TlsParameters};
    String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----")
        && Certificate::from_pem(pem).is_ok_and(|roots| {
            TlsParameters::builder("localhost".to_owned())
                .add_root_certificate(roots)
                .build()
                .is_ok()
        })
}

/// How the connection to the mail server is protected (`TWEESTAP_SMTP_SECURITY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed: nothing is sent otherwise.
    StartTls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: only to this machine (see `is_loopback`).
    Plain,
}

impl SmtpSecurity {
    pub fn default_port(self) -> u16 {
        match self {
            Self::StartTls => 587,
            Self::Tls => 465,
            Self::Plain => 25,
        }
    }
}

/// Whether `host` is this machine, the only place plain SMTP may go: without TLS the password
/// and every mail (a name, an IP address, what happened to an account) cross the network
/// readable and changeable by anyone on the way, while over loopback they never leave the
/// machine (a local relay that sends on with TLS, or the tests' server).
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            provider: None,
            timeout: std::time::Duration::from_secs(20),
        }
    }
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(user, _)| (user, "..")),
            )
            .field("from", &self.from.to_string())
            .field("ca_pem", &self.ca_pem.as_ref().map(|pem| pem.len()))
            .finish()
    }
}
