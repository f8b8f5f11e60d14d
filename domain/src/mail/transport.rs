//! Handing one mail over: appended to the outbox file, or submitted to the SMTP server with
//! lettre over rustls.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, Tls, TlsParameters},
    },
};
use serde::Serialize;

use super::settings::{MailProvider, Smtp, SmtpSecurity, is_loopback};
use crate::{db::entity::mail, delivery::SendFailure};

#[derive(Serialize)]
struct OutboxLine<'a> {
    to: &'a str,
    subject: &'a str,
    body: &'a str,
    sent_at: DateTime<Utc>,
}

pub(super) async fn send(
    provider: &MailProvider,
    mail: &mail::Model,
    now: DateTime<Utc>,
    timeout: Duration,
) -> Result<(), SendFailure> {
    match provider {
        MailProvider::Outbox(path) => {
            let line = OutboxLine {
                to: &mail.to_address,
                subject: &mail.subject,
                body: &mail.body,
                sent_at: now,
            };
            crate::outbox::append(path.clone(), &line, timeout)
                .await
                .map_err(SendFailure::Unavailable)
        }
        MailProvider::Smtp(smtp) => smtp.send(mail, now, timeout).await,
    }
}

impl Smtp {
    async fn send(
        &self,
        mail: &mail::Model,
        now: DateTime<Utc>,
        timeout: Duration,
    ) -> Result<(), SendFailure> {
        let to: Mailbox = mail
            .to_address
            .parse()
            .map_err(|_| SendFailure::Rejected("smtp: not a valid recipient address".to_owned()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .date(SystemTime::from(now))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|_| SendFailure::Rejected("smtp: the message cannot be built".to_owned()))?;
        let transport = self.transport(timeout)?;
        // lettre bounds each step by the timeout; this bounds the whole conversation.
        match tokio::time::timeout(timeout, transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(SendFailure::Unavailable(describe(&err))),
            Err(_) => Err(SendFailure::Unavailable("smtp: timeout".to_owned())),
        }
    }

    fn transport(
        &self,
        timeout: Duration,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendFailure> {
        let tls = || {
            let set_up = |_| SendFailure::Unavailable("smtp: TLS set-up failed".to_owned());
            let mut parameters = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.ca_pem {
                parameters =
                    parameters.add_root_certificate(Certificate::from_pem(pem).map_err(set_up)?);
            }
            parameters.build().map_err(set_up)
        };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .timeout(Some(timeout));
        let builder = match self.security {
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
            // Configuration refuses this already; checked again where it matters.
            SmtpSecurity::Plain if !is_loopback(&self.host) => {
                return Err(SendFailure::Rejected(
                    "smtp: unencrypted SMTP only to this machine".to_owned(),
                ));
            }
            SmtpSecurity::Plain => builder.tls(Tls::None),
        };
        let builder = match &self.credentials {
            Some((user, password)) => {
                builder.credentials(Credentials::new(user.clone(), password.clone()))
            }
            None => builder,
        };
        Ok(builder.build())
    }
}

/// The kind of failure and the server's status code; not the server's text, which can quote
/// the address or the message.
fn describe(err: &lettre::transport::smtp::Error) -> String {
    let code = err
        .status()
        .map(|code| format!(" {code}"))
        .unwrap_or_default();
    if err.is_timeout() {
        "smtp: timeout".to_owned()
    } else if err.is_tls() {
        "smtp: TLS failed".to_owned()
    } else if err.is_permanent() {
        format!("smtp: refused{code}")
    } else if err.is_transient() {
        format!("smtp: refused for now{code}")
    } else if err.is_client() {
        // For example STARTTLS required but not offered: nothing was sent.
        "smtp: the server does not offer what is required".to_owned()
    } else {
        "smtp: unreachable or connection lost".to_owned()
    }
}
