//! The mail queue on SQLite and PostgreSQL: what `record` queues, delivery to the outbox and
//! to a real SMTP server on 127.0.0.1 (mailin's protocol engine behind a small tokio loop),
//! retries with their pauses, giving up, and two workers racing for one mail.
//! The SMTP server is our own small loop around mailin's protocol engine: mailin-embedded would
//! switch on rustls' aws-lc backend in test builds, and no crate offers STARTTLS and TLS sinks.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration as StdDuration,
};

use chrono::Duration;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

use super::*;
use crate::{
    audit::log::{Event, record},
    client::ClientInfo,
    context::Context,
    db::entity::security_event,
    settings::Settings,
    testing::{self, Backend},
};

crate::on_both_backends!(
    record_queues_one_mail_to_the_user_and_the_outbox_gets_it_sec_21,
    without_a_provider_nothing_is_queued,
    a_helpdesk_reset_emails_the_user_with_the_reason_sec_21,
    a_refused_connection_is_tried_again_after_a_pause_and_then_delivered,
    after_the_last_attempt_the_mail_is_given_up_and_never_sent,
    two_workers_send_each_mail_once,
    a_mail_two_workers_saw_goes_to_one_and_comes_back_if_it_dies,
    a_real_smtp_server_receives_the_dutch_mail_sec_21,
    starttls_required_but_not_offered_sends_nothing,
    with_starttls_the_login_and_the_mail_go_encrypted,
    with_implicit_tls_the_login_and_the_mail_go_encrypted,
    an_untrusted_certificate_gets_neither_the_password_nor_the_mail,
);

const FROM: &str = "PRO Praktijksteun <noreply@praktijk.example.nl>";

fn chrome() -> ClientInfo {
    ClientInfo {
        ip_address: Some("203.0.113.7".to_owned()),
        user_agent: Some(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
                .to_owned(),
        ),
    }
}

fn smtp(addr: SocketAddr, security: SmtpSecurity) -> MailProvider {
    MailProvider::Smtp(Smtp {
        host: addr.ip().to_string(),
        port: addr.port(),
        security,
        credentials: Some(("tweestap".to_owned(), "smtp-geheim".to_owned())),
        from: FROM.parse().unwrap(),
        ca_pem: None,
    })
}

fn with_provider(provider: MailProvider) -> impl FnOnce(&mut Settings) {
    move |settings| {
        settings.mail.provider = Some(provider);
        short_timeout(settings);
    }
}

/// The worker gives up on a mail server after two seconds: a test with a server that never
/// answers ends soon.
fn short_timeout(settings: &mut Settings) {
    settings.mail.timeout = StdDuration::from_secs(2);
}

/// Another server process on the same database and clock, with other mail settings.
fn other_server(
    ctx: &Context,
    clock: &crate::clock::ManualClock,
    provider: MailProvider,
) -> Context {
    Context::new(
        ctx.db.clone(),
        Arc::new(clock.clone()),
        testing::test_settings(with_provider(provider)),
    )
}

async fn queue(ctx: &Context) -> Vec<mail::Model> {
    mail::Entity::find()
        .order_by_asc(mail::Column::Id)
        .all(&ctx.db)
        .await
        .unwrap()
}

/// A port on 127.0.0.1 where nothing listens: connections are refused at once.
fn refusing_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

async fn record_queues_one_mail_to_the_user_and_the_outbox_gets_it_sec_21(backend: Backend) {
    let (ctx, _clock, _db, outbox) = testing::context_with_mail(backend, short_timeout).await;
    let judith = testing::add_judith(&ctx).await;
    let other = testing::add_bram(&ctx).await;

    record(
        &ctx,
        judith.id,
        Event::RecoveryCodesRegenerated,
        None,
        Some(&chrome()),
    )
    .await
    .unwrap();

    let queued = queue(&ctx).await;
    assert_eq!(queued.len(), 1);
    let mail = &queued[0];
    assert_eq!(mail.user_id, judith.id);
    assert_ne!(mail.user_id, other.id);
    assert_eq!(mail.to_address, testing::JUDITH_EMAIL);
    assert_eq!(mail.kind, "recovery_codes_regenerated");
    assert_eq!(
        mail.subject,
        "Beveiliging van je account: nieuwe herstelcodes aangemaakt"
    );
    assert!(mail.body.starts_with("Beste Judith van Haare,"));
    assert_eq!((mail.attempts, mail.sent_at), (0, None));
    assert_eq!(mail.next_attempt_at, ctx.now());
    assert_eq!(
        security_event::Entity::find().count(&ctx.db).await.unwrap(),
        1,
        "the log entry is written with the mail"
    );
    assert!(outbox.mails().is_empty(), "nothing is sent in the request");

    let delivered = deliver_due(&ctx).await.unwrap();
    assert_eq!(
        delivered,
        Delivered {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );
    let mails = outbox.mails();
    assert_eq!(mails.len(), 1);
    let (to, subject, body) = &mails[0];
    assert_eq!(to, testing::JUDITH_EMAIL);
    assert_eq!(
        subject,
        "Beveiliging van je account: nieuwe herstelcodes aangemaakt"
    );
    assert!(body.contains("Nieuwe herstelcodes aangemaakt"), "{body}");
    assert!(body.contains("Wanneer: 4 mei 2026 om 10:00"), "{body}");
    assert!(body.contains("Browser: Chrome op Windows"), "{body}");
    assert!(body.contains("IP-adres: 203.0.113.7"), "{body}");
    assert!(body.contains("Was jij dit niet? Neem dan direct contact op met de helpdesk:"));
    let mail = &queue(&ctx).await[0];
    assert_eq!((mail.attempts, mail.sent_at), (1, Some(ctx.now())));

    // Sent once: the next run finds nothing.
    assert_eq!(deliver_due(&ctx).await.unwrap(), Delivered::default());
    assert_eq!(outbox.mails().len(), 1);
}

async fn without_a_provider_nothing_is_queued(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    record(
        &ctx,
        judith.id,
        Event::Locked,
        Some("15 minuten".to_owned()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        security_event::Entity::find().count(&ctx.db).await.unwrap(),
        1
    );
    assert!(queue(&ctx).await.is_empty());
    assert_eq!(deliver_due(&ctx).await.unwrap(), Delivered::default());
}

async fn a_helpdesk_reset_emails_the_user_with_the_reason_sec_21(backend: Backend) {
    let (ctx, _clock, _db, outbox) = testing::context_with_mail(backend, short_timeout).await;
    let judith = testing::add_judith(&ctx).await;
    crate::helpdesk::reset_two_factor(&ctx, judith.id, "jan (server)", "telefoon kwijt", None)
        .await
        .unwrap();
    assert_eq!(deliver_due(&ctx).await.unwrap().sent, 1);
    let mails = outbox.mails();
    assert_eq!(mails.len(), 1);
    let (to, subject, body) = &mails[0];
    assert_eq!(to, testing::JUDITH_EMAIL);
    assert_eq!(
        subject,
        "Beveiliging van je account: twee-staps-authenticatie gereset door de helpdesk"
    );
    assert!(
        body.contains(
            "Twee-staps-authenticatie gereset door de helpdesk (door jan (server): telefoon kwijt)"
        ),
        "{body}"
    );
    assert!(
        !body.contains("Browser:"),
        "no browser of the user's: {body}"
    );
}

async fn a_refused_connection_is_tried_again_after_a_pause_and_then_delivered(backend: Backend) {
    let (ctx, clock, _db) = testing::context_with(
        backend,
        with_provider(smtp(refusing_port(), SmtpSecurity::Plain)),
    )
    .await;
    let judith = testing::add_judith(&ctx).await;
    // The user's action is done whatever the mail server does.
    record(
        &ctx,
        judith.id,
        Event::TwoFactorDisabled,
        None,
        Some(&chrome()),
    )
    .await
    .unwrap();

    let started = std::time::Instant::now();
    assert_eq!(
        deliver_due(&ctx).await.unwrap(),
        Delivered {
            sent: 0,
            retrying: 1,
            failed: 0
        }
    );
    assert!(started.elapsed() < StdDuration::from_secs(2));
    let mail = &queue(&ctx).await[0];
    assert_eq!(mail.attempts, 1);
    assert_eq!(mail.sent_at, None);
    assert_eq!(mail.failed_at, None);
    assert_eq!(mail.next_attempt_at, ctx.now() + Duration::minutes(1));
    let error = mail.last_error.clone().unwrap();
    assert!(error.starts_with("smtp: "), "{error}");
    assert!(!error.contains("Judith"), "never the body: {error}");

    // Not again before the pause is over, whichever server looks.
    let sink = SmtpSink::start(SinkTls::None).await;
    let repaired = other_server(&ctx, &clock, smtp(sink.addr, SmtpSecurity::Plain));
    assert_eq!(deliver_due(&ctx).await.unwrap(), Delivered::default());
    assert_eq!(deliver_due(&repaired).await.unwrap(), Delivered::default());
    clock.advance(Duration::seconds(59));
    assert_eq!(deliver_due(&repaired).await.unwrap(), Delivered::default());

    clock.advance(Duration::seconds(1));
    assert_eq!(
        deliver_due(&repaired).await.unwrap(),
        Delivered {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, vec![testing::JUDITH_EMAIL.to_owned()]);
    let mail = &queue(&ctx).await[0];
    assert_eq!(mail.attempts, 2);
    assert_eq!(mail.sent_at, Some(ctx.now()));
    assert_eq!(mail.last_error, None);
}

async fn after_the_last_attempt_the_mail_is_given_up_and_never_sent(backend: Backend) {
    let (ctx, clock, _db) = testing::context_with(
        backend,
        with_provider(smtp(refusing_port(), SmtpSecurity::Plain)),
    )
    .await;
    let judith = testing::add_judith(&ctx).await;
    record(
        &ctx,
        judith.id,
        Event::Locked,
        Some("15 minuten".to_owned()),
        None,
    )
    .await
    .unwrap();

    let mut pauses = Vec::new();
    for attempt in 1..MAX_ATTEMPTS {
        assert_eq!(
            deliver_due(&ctx).await.unwrap(),
            Delivered {
                sent: 0,
                retrying: 1,
                failed: 0
            },
            "attempt {attempt}"
        );
        let mail = &queue(&ctx).await[0];
        assert_eq!(mail.attempts, attempt);
        pauses.push((mail.next_attempt_at - ctx.now()).num_minutes());
        clock.set(mail.next_attempt_at);
    }
    assert_eq!(pauses, [1, 5, 15, 60, 240, 720]);
    assert_eq!(
        deliver_due(&ctx).await.unwrap(),
        Delivered {
            sent: 0,
            retrying: 0,
            failed: 1
        }
    );
    let mail = &queue(&ctx).await[0];
    assert_eq!(mail.attempts, MAX_ATTEMPTS);
    assert_eq!(mail.failed_at, Some(ctx.now()));
    assert_eq!(mail.sent_at, None);

    // Given up for good, even with a working server a day later.
    let sink = SmtpSink::start(SinkTls::None).await;
    let repaired = other_server(&ctx, &clock, smtp(sink.addr, SmtpSecurity::Plain));
    clock.advance(Duration::days(1));
    assert_eq!(deliver_due(&repaired).await.unwrap(), Delivered::default());
    assert!(sink.received().is_empty());
}

async fn two_workers_send_each_mail_once(backend: Backend) {
    let (ctx, clock, _db, outbox) = testing::context_with_mail(backend, short_timeout).await;
    let judith = testing::add_judith(&ctx).await;
    for event in Event::ALL {
        record(&ctx, judith.id, event, None, None).await.unwrap();
    }
    let mailed = Event::ALL.into_iter().filter(|e| e.is_mailed()).count();
    assert_eq!(mailed, Event::ALL.len() - 1, "all but the clock's drift");
    // Two server processes with two workers each, all at once.
    let second = other_server(&ctx, &clock, outbox.mail_provider());
    let (a, b, c, d) = tokio::join!(
        deliver_due(&ctx),
        deliver_due(&second),
        deliver_due(&ctx),
        deliver_due(&second)
    );
    let sent: usize = [a, b, c, d].into_iter().map(|r| r.unwrap().sent).sum();
    assert_eq!(sent, mailed);
    let mut subjects: Vec<String> = outbox.mails().into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(subjects.len(), mailed, "{subjects:?}");
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), mailed, "each mail once");
    assert!(
        queue(&ctx)
            .await
            .iter()
            .all(|m| m.attempts == 1 && m.sent_at.is_some())
    );
}

// The race made certain: two workers read the same due mail; only the first takes it. A
// worker that dies while sending leaves the mail to be taken again when its lease ends.
async fn a_mail_two_workers_saw_goes_to_one_and_comes_back_if_it_dies(backend: Backend) {
    let (ctx, clock, _db, outbox) = testing::context_with_mail(backend, short_timeout).await;
    let judith = testing::add_judith(&ctx).await;
    record(&ctx, judith.id, Event::HelpdeskReset, None, None)
        .await
        .unwrap();
    let second = other_server(&ctx, &clock, outbox.mail_provider());
    let seen_by_first = next_due(&ctx).await.unwrap().unwrap();
    let seen_by_second = next_due(&second).await.unwrap().unwrap();
    assert_eq!(seen_by_first.id, seen_by_second.id);
    let taken = take(&ctx, seen_by_first).await.unwrap().unwrap();
    assert_eq!(taken.attempts, 1);
    assert_eq!(take(&second, seen_by_second).await.unwrap(), None);
    assert_eq!(deliver_due(&second).await.unwrap(), Delivered::default());

    // The first worker dies before it sends: nobody sends until the lease is over.
    clock.advance(LEASE - Duration::seconds(1));
    assert_eq!(deliver_due(&second).await.unwrap(), Delivered::default());
    clock.advance(Duration::seconds(1));
    assert_eq!(
        deliver_due(&second).await.unwrap(),
        Delivered {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );
    assert_eq!(outbox.mails().len(), 1);
    assert_eq!(queue(&ctx).await[0].attempts, 2);
}

async fn a_real_smtp_server_receives_the_dutch_mail_sec_21(backend: Backend) {
    let sink = SmtpSink::start(SinkTls::None).await;
    let (ctx, _clock, _db) =
        testing::context_with(backend, with_provider(smtp(sink.addr, SmtpSecurity::Plain))).await;
    let judith = testing::add_judith(&ctx).await;
    record(
        &ctx,
        judith.id,
        Event::TwoFactorEnabled,
        Some("authenticatie-applicatie".to_owned()),
        Some(&chrome()),
    )
    .await
    .unwrap();
    assert_eq!(
        deliver_due(&ctx).await.unwrap(),
        Delivered {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );

    let received = sink.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(
        mail.auth,
        Some(("tweestap".to_owned(), "smtp-geheim".to_owned()))
    );
    assert_eq!(mail.from, "noreply@praktijk.example.nl");
    assert_eq!(mail.to, vec![testing::JUDITH_EMAIL.to_owned()]);
    let (headers, body) = mail.parse();
    assert_eq!(
        headers("From"),
        "\"PRO Praktijksteun\" <noreply@praktijk.example.nl>"
    );
    assert_eq!(headers("To"), testing::JUDITH_EMAIL);
    assert_eq!(
        headers("Subject"),
        "Beveiliging van je account: twee-staps-authenticatie ingeschakeld"
    );
    assert!(headers("Content-Type").starts_with("text/plain; charset=utf-8"));
    assert!(
        headers("Date").contains("4 May 2026 08:00:00"),
        "{}",
        headers("Date")
    );
    assert!(body.starts_with("Beste Judith van Haare,\r\n"), "{body}");
    assert!(
        body.contains("Twee-staps-authenticatie ingeschakeld (authenticatie-applicatie)"),
        "{body}"
    );
    assert!(body.contains("Browser: Chrome op Windows"), "{body}");
    assert!(
        body.contains("088 - 123 45 67 (werkdagen 8.30 – 17.00 uur)"),
        "the Dutch text arrives whole: {body}"
    );
    assert!(
        body.contains("Met vriendelijke groet,\r\nPRO Praktijksteun"),
        "{body}"
    );
}

/// Sends one security mail through `provider` and says what the worker made of it.
async fn deliver_one(backend: Backend, provider: MailProvider) -> Delivered {
    let (ctx, _clock, _db) = testing::context_with(backend, with_provider(provider)).await;
    let judith = testing::add_judith(&ctx).await;
    record(
        &ctx,
        judith.id,
        Event::DeviceForgotten,
        None,
        Some(&chrome()),
    )
    .await
    .unwrap();
    deliver_due(&ctx).await.unwrap()
}

/// The sink's own CA trusted, as `TWEESTAP_SMTP_CA_FILE` does for an internal mail server.
fn trusting(sink: &SmtpSink, security: SmtpSecurity) -> MailProvider {
    let MailProvider::Smtp(mut server) = smtp(sink.addr, security) else {
        unreachable!()
    };
    server.ca_pem = sink.ca_pem.clone().map(String::into_bytes);
    MailProvider::Smtp(server)
}

const SENT_ONE: Delivered = Delivered {
    sent: 1,
    retrying: 0,
    failed: 0,
};

/// One mail through a sink that offers `tls`, trusting its CA: the login and the whole mail
/// arrive, and both went over TLS.
async fn delivers_encrypted(backend: Backend, tls: SinkTls, security: SmtpSecurity) {
    let sink = SmtpSink::start(tls).await;
    let delivered = deliver_one(backend, trusting(&sink, security)).await;
    assert_eq!(delivered, SENT_ONE);
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].auth_over_tls && received[0].over_tls,
        "{:?}",
        received[0]
    );
    assert_eq!(
        received[0].auth,
        Some(("tweestap".to_owned(), "smtp-geheim".to_owned()))
    );
    let (headers, body) = received[0].parse();
    assert_eq!(
        headers("Subject"),
        "Beveiliging van je account: onthouden apparaat vergeten"
    );
    assert!(body.contains("Browser: Chrome op Windows"), "{body}");
}

// The production path (port 587): STARTTLS first, then the login and the mail, encrypted, to
// a server whose certificate is checked against the configured CA.
async fn with_starttls_the_login_and_the_mail_go_encrypted(backend: Backend) {
    delivers_encrypted(backend, SinkTls::StartTls, SmtpSecurity::StartTls).await;
}

// Port 465: TLS from the first byte.
async fn with_implicit_tls_the_login_and_the_mail_go_encrypted(backend: Backend) {
    delivers_encrypted(backend, SinkTls::Wrapper, SmtpSecurity::Tls).await;
}

// A certificate from a CA that is not trusted (someone in between, or a CA file left out):
// no password and no mail for that server; the mail waits for a retry.
async fn an_untrusted_certificate_gets_neither_the_password_nor_the_mail(backend: Backend) {
    for (tls, security) in [
        (SinkTls::StartTls, SmtpSecurity::StartTls),
        (SinkTls::Wrapper, SmtpSecurity::Tls),
    ] {
        let sink = SmtpSink::start(tls).await;
        let delivered = deliver_one(backend, smtp(sink.addr, security)).await;
        assert_eq!(
            delivered,
            Delivered {
                sent: 0,
                retrying: 1,
                failed: 0
            }
        );
        assert!(sink.received().is_empty());
        assert_eq!(*sink.auth_seen.lock().unwrap(), None, "no password");
        assert!(sink.connections() >= 1, "the server was asked");
    }
}

async fn starttls_required_but_not_offered_sends_nothing(backend: Backend) {
    let sink = SmtpSink::start(SinkTls::None).await;
    let (ctx, _clock, _db) = testing::context_with(
        backend,
        with_provider(smtp(sink.addr, SmtpSecurity::StartTls)),
    )
    .await;
    let judith = testing::add_judith(&ctx).await;
    record(&ctx, judith.id, Event::DeviceForgotten, None, None)
        .await
        .unwrap();
    assert_eq!(
        deliver_due(&ctx).await.unwrap(),
        Delivered {
            sent: 0,
            retrying: 1,
            failed: 0
        }
    );
    assert!(sink.received().is_empty());
    assert_eq!(
        *sink.auth_seen.lock().unwrap(),
        None,
        "no password in the clear"
    );
    assert!(sink.connections() >= 1, "the server was asked");
}

#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on_within_the_timeout() {
    // Accepts connections and says nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let (ctx, _clock, _db) = testing::context_with(
        Backend::Sqlite,
        with_provider(smtp(addr, SmtpSecurity::Plain)),
    )
    .await;
    let judith = testing::add_judith(&ctx).await;
    record(&ctx, judith.id, Event::DeviceRemembered, None, None)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        deliver_due(&ctx).await.unwrap(),
        Delivered {
            sent: 0,
            retrying: 1,
            failed: 0
        }
    );
    assert!(
        started.elapsed() < StdDuration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        queue(&ctx).await[0].last_error.as_deref(),
        Some("smtp: timeout")
    );
}

#[test]
fn the_pauses_grow_and_stay_at_twelve_hours() {
    let minutes: Vec<i64> = (1..=8).map(|n| backoff(n).num_minutes()).collect();
    assert_eq!(minutes, [1, 5, 15, 60, 240, 720, 720, 720]);
    assert!(LEASE > Duration::from_std(MailSettings::default().timeout).unwrap() * 10);
}

#[test]
fn only_this_machine_counts_as_loopback() {
    for host in ["localhost", "127.0.0.1", "127.0.0.53", "::1", "[::1]"] {
        assert!(is_loopback(host), "{host}");
    }
    for host in [
        "mail.example.nl",
        "10.0.0.1",
        "192.168.1.1",
        "localhost.example.nl",
        "",
    ] {
        assert!(!is_loopback(host), "{host}");
    }
}

#[test]
fn the_smtp_password_is_never_printed() {
    let provider = smtp(refusing_port(), SmtpSecurity::Tls);
    let printed = format!("{provider:?}");
    assert!(!printed.contains("smtp-geheim"), "{printed}");
    assert!(printed.contains("tweestap"), "{printed}");
}

/// What the test server received in one mail transaction.
#[derive(Clone, Debug, Default)]
struct Received {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    auth: Option<(String, String)>,
    /// Whether the login and the mail came over TLS.
    auth_over_tls: bool,
    over_tls: bool,
}

impl Received {
    /// The headers (unfolded, looked up by name) and the body, decoded from its transfer
    /// encoding.
    fn parse(&self) -> (impl Fn(&str) -> String + '_, String) {
        let text = String::from_utf8_lossy(&self.data).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("headers and a body");
        let head = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let headers: Vec<(String, String)> = head
            .split("\r\n")
            .filter_map(|line| line.split_once(": "))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let encoding = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("Content-Transfer-Encoding"))
            .map(|(_, value)| value.to_ascii_lowercase())
            .unwrap_or_default();
        let body = match encoding.as_str() {
            "quoted-printable" => decode_quoted_printable(body),
            "base64" => {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(body.replace("\r\n", ""))
                    .expect("base64");
                String::from_utf8(bytes).expect("UTF-8")
            }
            _ => body.to_owned(),
        };
        let lookup = move |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no {name} header"))
        };
        (lookup, body)
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'=' && tail.len() >= 2 {
            let hex = std::str::from_utf8(&tail[..2]).unwrap();
            bytes.push(u8::from_str_radix(hex, 16).expect("=XX"));
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).expect("UTF-8")
}

/// An SMTP server on 127.0.0.1 that accepts every mail (and AUTH PLAIN without TLS, which
/// only a test may), and keeps what it got.
struct SmtpSink {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    auth_seen: Arc<Mutex<Option<(String, String)>>>,
    connections: Arc<Mutex<usize>>,
    /// The CA that signed the server's certificate, for a client to trust (with TLS).
    ca_pem: Option<String>,
}

/// How the test server offers TLS, with a certificate for 127.0.0.1 from a CA of its own.
enum SinkTls {
    None,
    /// STARTTLS after EHLO, as on port 587.
    StartTls,
    /// TLS from the first byte, as on port 465.
    Wrapper,
}

/// A CA made for this test run and a server certificate from it for 127.0.0.1.
fn test_ca() -> (String, tokio_rustls::TlsAcceptor) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Tweestap test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::try_from(server_key.serialize_der()).unwrap(),
        )
        .unwrap();
    (
        ca_cert.pem(),
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    )
}

#[derive(Clone)]
struct Recorder {
    current: Received,
    received: Arc<Mutex<Vec<Received>>>,
    auth_seen: Arc<Mutex<Option<(String, String)>>>,
    /// Whether this connection is encrypted by now: one flag per connection.
    tls: Arc<std::sync::atomic::AtomicBool>,
}

impl mailin::Handler for Recorder {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin::Response {
        self.current.from = from.to_owned();
        self.current.to = to.to_vec();
        self.current.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        self.current.over_tls = self.tls.load(std::sync::atomic::Ordering::SeqCst);
        self.received.lock().unwrap().push(self.current.clone());
        mailin::response::OK
    }

    fn auth_plain(
        &mut self,
        _authorization_id: &str,
        authentication_id: &str,
        password: &str,
    ) -> mailin::Response {
        let pair = (authentication_id.to_owned(), password.to_owned());
        *self.auth_seen.lock().unwrap() = Some(pair.clone());
        self.current.auth = Some(pair);
        self.current.auth_over_tls = self.tls.load(std::sync::atomic::Ordering::SeqCst);
        mailin::response::AUTH_OK
    }
}

impl SmtpSink {
    async fn start(tls: SinkTls) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (ca_pem, acceptor) = match tls {
            SinkTls::None => (None, None),
            SinkTls::StartTls | SinkTls::Wrapper => {
                let (pem, acceptor) = test_ca();
                (Some(pem), Some(acceptor))
            }
        };
        let sink = Self {
            addr: listener.local_addr().unwrap(),
            received: Arc::default(),
            auth_seen: Arc::default(),
            connections: Arc::default(),
            ca_pem,
        };
        let mut builder = mailin::SessionBuilder::new("sink.test");
        builder
            .enable_auth(mailin::AuthMechanism::Plain)
            .insecure_enable_plaintext_auth();
        let wrapper = matches!(tls, SinkTls::Wrapper);
        if matches!(tls, SinkTls::StartTls) {
            builder.enable_start_tls();
        }
        let recorder = Recorder {
            current: Received::default(),
            received: sink.received.clone(),
            auth_seen: sink.auth_seen.clone(),
            tls: Arc::default(),
        };
        let connections = sink.connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                *connections.lock().unwrap() += 1;
                let tls = Arc::<std::sync::atomic::AtomicBool>::default();
                let session = builder.build(
                    peer.ip(),
                    Recorder {
                        tls: tls.clone(),
                        ..recorder.clone()
                    },
                );
                tokio::spawn(Self::serve(stream, session, tls, acceptor.clone(), wrapper));
            }
        });
        sink
    }

    /// One client: in the clear until STARTTLS, or encrypted from the start (`wrapper`).
    async fn serve(
        stream: tokio::net::TcpStream,
        mut session: mailin::Session<Recorder>,
        tls: Arc<std::sync::atomic::AtomicBool>,
        acceptor: Option<tokio_rustls::TlsAcceptor>,
        wrapper: bool,
    ) {
        let encrypted = || tls.store(true, std::sync::atomic::Ordering::SeqCst);
        if let (true, Some(acceptor)) = (wrapper, &acceptor) {
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            encrypted();
            let mut stream = BufReader::new(stream);
            if Self::greet(&mut stream, &session).await {
                Self::converse(&mut stream, &mut session).await;
            }
            return;
        }
        let mut stream = BufReader::new(stream);
        if !Self::greet(&mut stream, &session).await {
            return;
        }
        if Self::converse(&mut stream, &mut session).await
            && let Some(acceptor) = acceptor
        {
            let Ok(stream) = acceptor.accept(stream.into_inner()).await else {
                return;
            };
            session.tls_active();
            encrypted();
            Self::converse(&mut BufReader::new(stream), &mut session).await;
        }
    }

    async fn greet<S>(stream: &mut BufReader<S>, session: &mailin::Session<Recorder>) -> bool
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let greeting = session.greeting().buffer().unwrap();
        stream.get_mut().write_all(&greeting).await.is_ok()
    }

    /// Answers the client line by line; true when it asked for TLS (after the answer to
    /// STARTTLS went out).
    async fn converse<S>(stream: &mut BufReader<S>, session: &mut mailin::Session<Recorder>) -> bool
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let mut line = Vec::new();
        loop {
            line.clear();
            match stream.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return false,
                Ok(_) => {}
            }
            let response = session.process(&line);
            let action = response.action.clone();
            if action != mailin::Action::NoReply
                && stream
                    .get_mut()
                    .write_all(&response.buffer().unwrap())
                    .await
                    .is_err()
            {
                return false;
            }
            match action {
                mailin::Action::NoReply | mailin::Action::Reply => {}
                mailin::Action::Close => return false,
                mailin::Action::UpgradeTls => return true,
            }
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}
