//! Where SMS messages go: a development outbox file, or Twilio's Messages API.

use std::{path::PathBuf, time::Duration};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::delivery::SendFailure;

/// How SMS messages leave the platform (`TWEESTAP_SMS_PROVIDER`).
#[derive(Debug, Clone)]
pub enum SmsProvider {
    /// Development and tests: each message is appended to this file as one JSON line.
    Outbox(PathBuf),
    Twilio(Twilio),
}

#[derive(Clone)]
pub struct Twilio {
    /// `https://api.twilio.com`, or a test server.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    pub sender: TwilioSender,
}

#[derive(Debug, Clone)]
pub enum TwilioSender {
    /// A phone number or alphanumeric sender id (`From`).
    From(String),
    /// A messaging service (`MessagingServiceSid`).
    MessagingService(String),
}

impl std::fmt::Debug for Twilio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twilio")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"..")
            .field("sender", &self.sender)
            .finish()
    }
}

impl SmsProvider {
    /// The name recorded in the send log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Outbox(_) => "outbox",
            Self::Twilio(_) => "twilio",
        }
    }

    /// Sends one message, giving up after `timeout`. The error says what happened in a few
    /// words for the send log; it never holds the message or the number.
    pub async fn send(
        &self,
        to: &str,
        body: &str,
        now: DateTime<Utc>,
        timeout: Duration,
    ) -> Result<Option<String>, SendFailure> {
        match self {
            Self::Outbox(path) => append_to_outbox(path.clone(), to, body, now, timeout).await,
            Self::Twilio(twilio) => twilio.send(to, body, timeout).await,
        }
    }
}

#[derive(Serialize)]
struct OutboxLine<'a> {
    to: &'a str,
    body: &'a str,
    sent_at: DateTime<Utc>,
}

async fn append_to_outbox(
    path: PathBuf,
    to: &str,
    body: &str,
    now: DateTime<Utc>,
    timeout: Duration,
) -> Result<Option<String>, SendFailure> {
    let line = OutboxLine {
        to,
        body,
        sent_at: now,
    };
    crate::outbox::append(path, &line, timeout)
        .await
        .map(|()| None)
        .map_err(SendFailure::Unavailable)
}

impl Twilio {
    pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

    /// `POST /2010-04-01/Accounts/{sid}/Messages.json` with basic authentication.
    async fn send(
        &self,
        to: &str,
        body: &str,
        timeout: Duration,
    ) -> Result<Option<String>, SendFailure> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base_url.trim_end_matches('/'),
            percent_encoding::utf8_percent_encode(
                &self.account_sid,
                percent_encoding::NON_ALPHANUMERIC
            )
        );
        let sender = match &self.sender {
            TwilioSender::From(from) => ("From", from.as_str()),
            TwilioSender::MessagingService(sid) => ("MessagingServiceSid", sid.as_str()),
        };
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| SendFailure::Unavailable("twilio: no HTTP client".to_owned()))?;
        let response = client
            .post(url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&[("To", to), sender, ("Body", body)])
            .send()
            .await
            .map_err(|err| {
                SendFailure::Unavailable(if err.is_timeout() {
                    "twilio: timeout".to_owned()
                } else {
                    "twilio: unreachable".to_owned()
                })
            })?;
        let status = response.status();
        // Twilio's error text can quote the number: only the status and its error code are
        // kept.
        let answer: serde_json::Value = response
            .bytes()
            .await
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        if status.is_success() {
            let sid = answer
                .get("sid")
                .and_then(|sid| sid.as_str())
                .filter(|sid| sid.len() <= 64 && sid.bytes().all(|b| b.is_ascii_alphanumeric()))
                .map(str::to_owned);
            return Ok(sid);
        }
        let code = answer
            .get("code")
            .and_then(serde_json::Value::as_i64)
            .map(|code| format!(" code {code}"))
            .unwrap_or_default();
        let detail = format!("twilio: {}{code}", status.as_u16());
        if status.is_client_error() && status.as_u16() != 429 {
            Err(SendFailure::Rejected(detail))
        } else {
            Err(SendFailure::Unavailable(detail))
        }
    }
}

#[cfg(test)]
mod tests {
    //! Twilio's API as wiremock's fake server on 127.0.0.1: what the request carries, and how
    //! each kind of answer is taken.

    use wiremock::{
        Mock, MockServer, Request, ResponseTemplate,
        matchers::{method, path},
    };

    use super::*;

    const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json";

    /// Answers every POST to the account's messages with `status` and `answer`, after `delay`.
    async fn fake_twilio(status: u16, answer: &'static str, delay: Duration) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(MESSAGES))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("content-type", "application/json")
                    .set_body_string(answer)
                    .set_delay(delay),
            )
            .mount(&server)
            .await;
        server
    }

    /// The one request the fake server received.
    async fn the_request(server: &MockServer) -> Request {
        let mut requests = server.received_requests().await.unwrap_or_default();
        assert_eq!(requests.len(), 1, "one request to Twilio");
        requests.remove(0)
    }

    fn twilio(base_url: String, sender: TwilioSender) -> SmsProvider {
        SmsProvider::Twilio(Twilio {
            base_url,
            account_sid: "AC0123456789abcdef".to_owned(),
            auth_token: "token-geheim".to_owned(),
            sender,
        })
    }

    const SECOND: Duration = Duration::from_secs(1);

    async fn send(provider: &SmsProvider) -> Result<Option<String>, SendFailure> {
        provider
            .send(
                "+31612345678",
                "123456 is je code\n\n@h.nl #123456",
                Utc::now(),
                SECOND,
            )
            .await
    }

    #[tokio::test]
    async fn posts_the_form_fields_with_basic_auth() {
        let server = fake_twilio(
            201,
            r#"{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}"#,
            Duration::ZERO,
        )
        .await;
        let provider = twilio(
            server.uri(),
            TwilioSender::From("+3197010203040".to_owned()),
        );
        assert_eq!(
            send(&provider).await,
            Ok(Some("SM0123456789abcdef0123456789abcdef".to_owned()))
        );
        let request = the_request(&server).await;
        use base64::Engine as _;
        let expected =
            base64::engine::general_purpose::STANDARD.encode("AC0123456789abcdef:token-geheim");
        assert_eq!(
            request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok()),
            Some(format!("Basic {expected}").as_str())
        );
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            "To=%2B31612345678&From=%2B3197010203040&Body=123456+is+je+code%0A%0A%40h.nl+%23123456"
        );
    }

    #[tokio::test]
    async fn can_send_through_a_messaging_service() {
        let server = fake_twilio(201, r#"{"sid": "SM1"}"#, Duration::ZERO).await;
        let provider = twilio(
            server.uri(),
            TwilioSender::MessagingService("MG99".to_owned()),
        );
        assert_eq!(send(&provider).await, Ok(Some("SM1".to_owned())));
        let body = String::from_utf8_lossy(&the_request(&server).await.body).into_owned();
        assert!(body.contains("MessagingServiceSid=MG99"), "{body}");
        assert!(!body.contains("From="), "{body}");
    }

    #[tokio::test]
    async fn a_4xx_answer_is_a_rejection_without_twilios_text() {
        let server = fake_twilio(
            400,
            r#"{"code": 21211, "message": "The 'To' number +31612345678 is not a valid phone number.", "status": 400}"#,
            Duration::ZERO,
        )
        .await;
        let failure = send(&twilio(server.uri(), TwilioSender::From("X".to_owned())))
            .await
            .unwrap_err();
        assert_eq!(
            failure,
            SendFailure::Rejected("twilio: 400 code 21211".to_owned())
        );
        assert!(!failure.detail().contains("612345678"));
    }

    #[tokio::test]
    async fn a_5xx_answer_is_unavailable() {
        let server = fake_twilio(503, "upstream down", Duration::ZERO).await;
        assert_eq!(
            send(&twilio(server.uri(), TwilioSender::From("X".to_owned()))).await,
            Err(SendFailure::Unavailable("twilio: 503".to_owned()))
        );
    }

    #[tokio::test]
    async fn a_slow_answer_times_out() {
        let server = fake_twilio(201, r#"{"sid": "SM1"}"#, 3 * SECOND).await;
        assert_eq!(
            send(&twilio(server.uri(), TwilioSender::From("X".to_owned()))).await,
            Err(SendFailure::Unavailable("twilio: timeout".to_owned()))
        );
    }

    #[tokio::test]
    async fn an_unreachable_server_is_unavailable() {
        // A port that was free a moment ago: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        assert_eq!(
            send(&twilio(url, TwilioSender::From("X".to_owned()))).await,
            Err(SendFailure::Unavailable("twilio: unreachable".to_owned()))
        );
    }

    #[tokio::test]
    async fn the_outbox_appends_one_json_line_per_message() {
        let outbox = crate::testing::Outbox::new();
        let provider = outbox.provider();
        send(&provider).await.unwrap();
        send(&provider).await.unwrap();
        let messages = outbox.messages();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].0, "+31612345678");
        assert_eq!(outbox.last_code(), "123456");
    }
}
