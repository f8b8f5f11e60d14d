//! The configuration as an operator gives it: every variable through clap, as `server` reads
//! it, and the settings that come of it.

use std::path::Path;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::Duration;
use clap::{Args as _, FromArgMatches as _};
use tweestap_domain::{
    accounts::password::HashingLimits,
    mail::{MailProvider, MailSettings, Smtp, SmtpSecurity},
    sms::{SmsLimits, SmsProvider, TwilioSender},
};

use super::{
    operations::{file_next_to, load_or_create_key},
    *,
};

/// The configuration from exactly these variables, validated: each is given as its flag
/// to the command with every `env` removed, so tests neither read nor change the process
/// environment.
fn parse(vars: &[(&str, &str)]) -> Result<Config, String> {
    let command = Config::augment_args(clap::Command::new("server"));
    let mut args = vec!["server".to_owned()];
    for (name, value) in vars {
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_env().is_some_and(|env| env == *name))
            .unwrap_or_else(|| panic!("no variable {name}"));
        args.push(format!("--{}={value}", arg.get_long().unwrap()));
    }
    let matches = command
        .mut_args(|arg| arg.env(None))
        .try_get_matches_from(args)
        .map_err(|e| e.to_string())?;
    let config = Config::from_arg_matches(&matches).map_err(|e| e.to_string())?;
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

/// The settings from exactly these variables, with a fixed key.
fn settings(vars: &[(&str, &str)]) -> Result<Settings, String> {
    parse(vars).map(|config| config.settings_with_key(SecretKey::from_bytes([7; 32])))
}

#[test]
fn defaults_need_nothing_set() {
    let parsed = parse(&[]).unwrap();
    assert_eq!(parsed.operations.database_url, DEFAULT_DATABASE_URL);
    assert!(
        !parsed.operations.demo,
        "demo accounts are off unless asked for"
    );
    assert_eq!(parsed.sessions.rollout(), None);
    assert!(
        matches!(parsed.operations.key(), KeySource::DevelopmentFile(ref p) if p == Path::new("tweestap.key"))
    );
    let config = settings(&[]).unwrap();
    assert_eq!(config.session_idle, Duration::minutes(30));
    assert_eq!(config.session_max, Duration::hours(12));
    assert_eq!(config.remember_for, Duration::hours(12));
    assert_eq!(config.second_step_for, Duration::minutes(10));
    assert_eq!(config.public_origin, None);
    assert_eq!(config.platform_name, Settings::DEFAULT_PLATFORM_NAME);
    assert_eq!(config.helpdesk, Settings::DEFAULT_HELPDESK);
    assert!(config.trusted_proxies.is_empty(), "no proxy is believed");
    assert_eq!(
        config.guessing,
        tweestap_domain::accounts::guessing::Limits::default()
    );
}

#[test]
fn the_password_limits_are_read_and_checked_sec_25() {
    let config = settings(&[
        ("TWEESTAP_PASSWORD_FREE_ATTEMPTS", "3"),
        ("TWEESTAP_PASSWORD_MAX_WAIT_MINUTES", "60"),
        ("TWEESTAP_PASSWORD_ACCOUNT_LIMIT", "10"),
        ("TWEESTAP_PASSWORD_ADDRESS_LIMIT", "500"),
        ("TWEESTAP_PASSWORD_LOCK_MINUTES", "45"),
    ])
    .unwrap();
    assert_eq!(config.guessing.free_attempts, 3);
    assert_eq!(config.guessing.max_wait, Duration::minutes(60));
    assert_eq!(config.guessing.account_per_hour, 10);
    assert_eq!(config.guessing.address_per_hour, 500);
    assert_eq!(config.guessing.lock_for, Duration::minutes(45));
    for (name, value) in [
        ("TWEESTAP_PASSWORD_FREE_ATTEMPTS", "0"),
        ("TWEESTAP_PASSWORD_ACCOUNT_LIMIT", "veel"),
        ("TWEESTAP_PASSWORD_LOCK_MINUTES", "-5"),
    ] {
        let err = parse(&[(name, value)]).unwrap_err();
        assert!(err.contains(name), "{name}={value}: {err}");
    }
}

#[test]
fn the_hashing_workers_and_queue_are_read_and_checked_sec_29() {
    assert_eq!(settings(&[]).unwrap().hashing, HashingLimits::default());
    let config = settings(&[
        ("TWEESTAP_HASH_WORKERS", "3"),
        ("TWEESTAP_HASH_QUEUE", "20"),
    ])
    .unwrap();
    assert_eq!(
        config.hashing,
        HashingLimits {
            workers: 3,
            queue: 20
        }
    );
    for (name, value) in [
        ("TWEESTAP_HASH_WORKERS", "0"),
        ("TWEESTAP_HASH_QUEUE", "0"),
        ("TWEESTAP_HASH_QUEUE", "veel"),
    ] {
        let err = parse(&[(name, value)]).unwrap_err();
        assert!(err.contains(name), "{name}={value}: {err}");
    }
}

#[test]
fn white_space_around_a_value_is_ignored() {
    let config = settings(&[
        ("TWEESTAP_SESSION_IDLE_MINUTES", " 15 "),
        ("TWEESTAP_SMS_PROVIDER", " outbox "),
        ("TWEESTAP_DEMO", " true"),
    ])
    .unwrap();
    assert_eq!(config.session_idle, Duration::minutes(15));
    assert!(config.sms.provider.is_some());
    assert!(
        parse(&[("TWEESTAP_DEMO", "true ")])
            .unwrap()
            .operations
            .demo
    );
}

#[test]
fn the_retention_period_is_a_year_by_default_and_never_below_a_month_sec_26() {
    assert_eq!(settings(&[]).unwrap().retention, Duration::days(365));
    let config = settings(&[("TWEESTAP_RETENTION_DAYS", " 730 ")]).unwrap();
    assert_eq!(config.retention, Duration::days(730));
    assert_eq!(
        settings(&[("TWEESTAP_RETENTION_DAYS", "30")])
            .unwrap()
            .retention,
        Duration::days(30)
    );
    for (value, problem) in [
        ("29", "must be at least 30 days"),
        ("0", "must be at least 30 days"),
        ("-365", "must be at least 30 days"),
        (
            "een jaar",
            "must be a whole number of days from 30 to 36500",
        ),
        ("365.5", "must be a whole number of days"),
        ("36501", "must be a whole number of days"),
    ] {
        let err = parse(&[("TWEESTAP_RETENTION_DAYS", value)]).unwrap_err();
        assert!(
            err.contains("TWEESTAP_RETENTION_DAYS") && err.contains(problem),
            "{value}: {err}"
        );
    }
}

#[test]
fn a_database_url_is_checked_and_never_shown() {
    let err = parse(&[("DATABASE_URL", "mysql://root:geheim@db/tweestap")]).unwrap_err();
    assert!(
        err.contains("DATABASE_URL must start with sqlite:"),
        "{err}"
    );
    assert!(!err.contains("geheim"), "{err}");
}

#[test]
fn trusted_proxies_are_addresses() {
    let config = settings(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1, ::1")]).unwrap();
    assert_eq!(
        config.trusted_proxies,
        vec![
            "127.0.0.1".parse::<std::net::IpAddr>().unwrap(),
            "::1".parse().unwrap()
        ]
    );
    // A trailing comma or an empty variable names no proxy.
    let config = settings(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1,")]).unwrap();
    assert_eq!(config.trusted_proxies.len(), 1);
    let err = settings(&[("TWEESTAP_TRUSTED_PROXIES", "127.0.0.1,proxy.local")]).unwrap_err();
    assert!(
        err.contains("<TWEESTAP_TRUSTED_PROXIES>': must be IP addresses"),
        "{err}"
    );
}

// SEC-32: the public origin as browsers write it, and nothing else.
#[test]
fn the_public_origin_is_a_scheme_and_host_sec_32() {
    for (given, origin) in [
        ("https://praktijk.example.nl", "https://praktijk.example.nl"),
        (
            " https://Praktijk.Example.nl/ ",
            "https://praktijk.example.nl",
        ),
        (
            "https://praktijk.example.nl:443",
            "https://praktijk.example.nl",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ] {
        let config = settings(&[("TWEESTAP_PUBLIC_ORIGIN", given)]).unwrap();
        assert_eq!(config.public_origin.as_deref(), Some(origin), "{given}");
    }
    for bad in [
        "praktijk.example.nl",
        "https://praktijk.example.nl/platform",
        "https://praktijk.example.nl?x=1",
        "https://beheer@praktijk.example.nl",
        "ftp://praktijk.example.nl",
    ] {
        let err = settings(&[("TWEESTAP_PUBLIC_ORIGIN", bad)]).unwrap_err();
        assert!(
            err.contains("<TWEESTAP_PUBLIC_ORIGIN>': must be the address clinicians use"),
            "{bad}: {err}"
        );
    }
}

// SEC-30: the second step's own short time, between one minute and an hour.
#[test]
fn the_second_step_minutes_are_read_and_checked_sec_30() {
    let config = settings(&[("TWEESTAP_SECOND_STEP_MINUTES", "3")]).unwrap();
    assert_eq!(config.second_step_for, Duration::minutes(3));
    for bad in ["0", "61", "tien"] {
        let err = settings(&[("TWEESTAP_SECOND_STEP_MINUTES", bad)]).unwrap_err();
        assert!(err.contains("TWEESTAP_SECOND_STEP_MINUTES"), "{bad}: {err}");
    }
}

#[test]
fn metrics_are_off_and_logs_are_text_unless_configured_sec_28() {
    let config = parse(&[]).unwrap();
    assert_eq!(config.operations.metrics_addr, None);
    assert!(config.operations.metrics_token().is_none());
    assert_eq!(config.operations.log_format, LogFormat::Text);
    let token = "0123456789abcdef0123456789abcdef";
    let config = parse(&[
        ("TWEESTAP_METRICS_ADDR", " 127.0.0.1:9464 "),
        ("TWEESTAP_METRICS_TOKEN", token),
        ("TWEESTAP_LOG_FORMAT", "json"),
    ])
    .unwrap();
    assert_eq!(
        config.operations.metrics_addr,
        Some("127.0.0.1:9464".parse().unwrap())
    );
    assert!(config.operations.metrics_token().is_some());
    assert_eq!(config.operations.log_format, LogFormat::Json);

    let err = parse(&[("TWEESTAP_LOG_FORMAT", "xml")]).unwrap_err();
    assert!(
        err.contains("TWEESTAP_LOG_FORMAT") && err.contains("[possible values: text, json]"),
        "{err}"
    );
    let err = parse(&[("TWEESTAP_METRICS_ADDR", "localhost")]).unwrap_err();
    assert!(
        err.contains("TWEESTAP_METRICS_ADDR") && err.contains("IP address and port"),
        "{err}"
    );
    // A short token is refused, and never shown.
    let err = parse(&[("TWEESTAP_METRICS_TOKEN", "geheim-maar-kort")]).unwrap_err();
    assert!(
        err.contains("TWEESTAP_METRICS_TOKEN must be at least 32 characters"),
        "{err}"
    );
    assert!(!err.contains("geheim-maar-kort"), "{err}");
}

#[test]
fn rollout_dates_are_read_and_checked() {
    let config = settings(&[
        ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-01-01"),
        ("TWEESTAP_2FA_MANDATORY_FROM", "2027-07-01"),
    ])
    .unwrap();
    let rollout = config.rollout;
    assert_eq!(
        rollout.last_optional_day(),
        chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()
    );
    let err = settings(&[
        ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-07-01"),
        ("TWEESTAP_2FA_MANDATORY_FROM", "2027-01-01"),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("must not be after"));
}

/// "Onthoud mij": TWEESTAP_REMEMBER_HOURS stays the default length, and
/// TWEESTAP_REMEMBER_MAX_HOURS limits the longer choices; a bad value, or a default longer than
/// the maximum (an older setting above a week), stops the server with both names.
#[test]
fn the_remember_lengths_are_read_and_checked() {
    let config = settings(&[]).unwrap();
    assert_eq!(config.remember_for, Duration::hours(12));
    assert_eq!(config.remember_max, Duration::hours(168));
    let config = settings(&[("TWEESTAP_REMEMBER_MAX_HOURS", " 12 ")]).unwrap();
    assert_eq!(config.remember_max, Duration::hours(12));
    assert_eq!(config.remember_for, Duration::hours(12));
    let config = settings(&[
        ("TWEESTAP_REMEMBER_HOURS", "720"),
        ("TWEESTAP_REMEMBER_MAX_HOURS", "720"),
    ])
    .unwrap();
    assert_eq!(config.remember_for, Duration::hours(720));
    for value in ["0", "721", "een week", "-12", "1.5"] {
        let err = parse(&[("TWEESTAP_REMEMBER_MAX_HOURS", value)]).unwrap_err();
        assert!(
            err.contains("TWEESTAP_REMEMBER_MAX_HOURS"),
            "{value}: {err}"
        );
    }
    for vars in [
        &[("TWEESTAP_REMEMBER_HOURS", "720")][..],
        &[
            ("TWEESTAP_REMEMBER_HOURS", "24"),
            ("TWEESTAP_REMEMBER_MAX_HOURS", "12"),
        ][..],
    ] {
        let err = parse(vars).unwrap_err();
        assert!(
            err.contains(
                "TWEESTAP_REMEMBER_HOURS must not be longer than TWEESTAP_REMEMBER_MAX_HOURS"
            ),
            "{vars:?}: {err}"
        );
    }
}

/// clap stops at the first bad value, so each is tried alone; the problems between
/// variables are reported all at once.
#[test]
fn every_bad_value_is_named() {
    for (name, value) in [
        ("DATABASE_URL", "mysql://x"),
        ("TWEESTAP_DEMO", "perhaps"),
        ("TWEESTAP_SECRET_KEY", "c2hvcnQ="),
        ("TWEESTAP_SESSION_IDLE_MINUTES", "abc"),
        ("TWEESTAP_SESSION_MAX_HOURS", "0"),
        ("TWEESTAP_2FA_OPTIONAL_FROM", "1 juli"),
        ("TWEESTAP_REMEMBER_HOURS", "-3"),
        ("TWEESTAP_RETENTION_DAYS", "7"),
        ("TWEESTAP_PLATFORM_NAME", &"x".repeat(501)),
        ("TWEESTAP_TWILIO_BASE_URL", "http://twilio.example"),
    ] {
        let err = parse(&[(name, value)]).unwrap_err();
        assert!(err.contains(name), "{name} missing from: {err}");
    }
    let err = parse(&[
        ("TWEESTAP_SECRET_KEY", "c2hvcnQ="),
        ("TWEESTAP_SESSION_IDLE_MINUTES", "1440"),
        ("TWEESTAP_SESSION_MAX_HOURS", "1"),
        ("TWEESTAP_2FA_OPTIONAL_FROM", "2027-07-01"),
        ("TWEESTAP_2FA_MANDATORY_FROM", "2027-01-01"),
    ])
    .unwrap_err();
    for name in [
        "TWEESTAP_SECRET_KEY",
        "TWEESTAP_SESSION_IDLE_MINUTES must not be longer",
        "TWEESTAP_2FA_OPTIONAL_FROM must not be after",
    ] {
        assert!(err.contains(name), "{name} missing from: {err}");
    }
    assert!(!err.contains("c2hvcnQ="), "the key is never printed: {err}");
}

#[test]
fn sms_is_off_unless_a_provider_is_chosen() {
    let config = settings(&[]).unwrap();
    assert!(config.sms.provider.is_none());
    assert_eq!(config.sms.limits, SmsLimits::default());
    let config = settings(&[
        ("DATABASE_URL", "sqlite://data/tw.db?mode=rwc"),
        ("TWEESTAP_SMS_PROVIDER", "outbox"),
        ("TWEESTAP_SMS_COOLDOWN_SECONDS", "5"),
        ("TWEESTAP_SMS_MAX_PER_DAY", "3"),
        ("TWEESTAP_PUBLIC_HOST", "praktijk.example.nl"),
    ])
    .unwrap();
    assert!(
        matches!(config.sms.provider, Some(SmsProvider::Outbox(ref p)) if p == Path::new("data/sms-outbox.jsonl"))
    );
    assert_eq!(config.sms.limits.cooldown, Duration::seconds(5));
    assert_eq!(config.sms.limits.per_day, 3);
    assert_eq!(config.sms.host, "praktijk.example.nl");
}

#[test]
fn twilio_needs_its_account_and_one_sender() {
    let err = settings(&[("TWEESTAP_SMS_PROVIDER", "twilio")]).unwrap_err();
    let text = err.to_string();
    for name in [
        "TWEESTAP_TWILIO_ACCOUNT_SID",
        "TWEESTAP_TWILIO_AUTH_TOKEN",
        "TWEESTAP_TWILIO_FROM",
    ] {
        assert!(text.contains(name), "{name} missing from: {text}");
    }
    let config = settings(&[
        ("TWEESTAP_SMS_PROVIDER", "twilio"),
        ("TWEESTAP_TWILIO_ACCOUNT_SID", "AC123"),
        ("TWEESTAP_TWILIO_AUTH_TOKEN", "geheim"),
        ("TWEESTAP_TWILIO_MESSAGING_SERVICE_SID", "MG456"),
    ])
    .unwrap();
    let Some(SmsProvider::Twilio(twilio)) = config.sms.provider else {
        panic!("twilio expected");
    };
    assert_eq!(twilio.base_url, "https://api.twilio.com");
    assert!(matches!(twilio.sender, TwilioSender::MessagingService(ref s) if s == "MG456"));
    assert!(
        !format!("{twilio:?}").contains("geheim"),
        "the auth token is never printed"
    );
    for (name, value) in [
        ("TWEESTAP_SMS_PROVIDER", "carrier-pigeon"),
        ("TWEESTAP_SMS_MAX_PER_USER_HOUR", "0"),
        ("TWEESTAP_PUBLIC_HOST", "https://x.nl/"),
    ] {
        let err = parse(&[(name, value)]).unwrap_err();
        assert!(err.contains(name), "{name} missing from: {err}");
    }
}

#[test]
fn mail_is_off_unless_a_provider_is_chosen_and_the_outbox_sits_by_the_database() {
    assert!(settings(&[]).unwrap().mail.provider.is_none());
    let config = settings(&[
        ("DATABASE_URL", "sqlite://data/tw.db?mode=rwc"),
        ("TWEESTAP_MAIL_PROVIDER", "outbox"),
    ])
    .unwrap();
    assert!(
        matches!(config.mail.provider, Some(MailProvider::Outbox(ref p)) if p == Path::new("data/mail-outbox.jsonl"))
    );
    let config = settings(&[
        ("TWEESTAP_MAIL_PROVIDER", "outbox"),
        ("TWEESTAP_MAIL_OUTBOX", "/tmp/mails.jsonl"),
    ])
    .unwrap();
    assert!(
        matches!(config.mail.provider, Some(MailProvider::Outbox(ref p)) if p == Path::new("/tmp/mails.jsonl"))
    );
    let err = settings(&[("TWEESTAP_MAIL_PROVIDER", "sendmail")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("TWEESTAP_MAIL_PROVIDER") && err.contains("[possible values: outbox, smtp]"),
        "{err}"
    );
}

fn smtp(vars: &[(&str, &str)]) -> Result<Smtp, String> {
    let mut all = vec![("TWEESTAP_MAIL_PROVIDER", "smtp")];
    all.extend_from_slice(vars);
    match settings(&all)?.mail {
        MailSettings {
            provider: Some(MailProvider::Smtp(smtp)),
            ..
        } => Ok(smtp),
        other => panic!("SMTP expected: {other:?}"),
    }
}

#[test]
fn smtp_defaults_to_starttls_on_587_and_reads_the_rest() {
    let server = smtp(&[
        ("TWEESTAP_SMTP_HOST", "smtp.example.nl"),
        (
            "TWEESTAP_MAIL_FROM",
            "PRO Praktijksteun <noreply@praktijk.example.nl>",
        ),
    ])
    .unwrap();
    assert_eq!(server.host, "smtp.example.nl");
    assert_eq!(
        (server.security, server.port),
        (SmtpSecurity::StartTls, 587)
    );
    assert_eq!(server.credentials, None);
    assert_eq!(server.from.email.to_string(), "noreply@praktijk.example.nl");
    assert_eq!(server.from.name.as_deref(), Some("PRO Praktijksteun"));

    let server = smtp(&[
        ("TWEESTAP_SMTP_HOST", "smtp.example.nl"),
        ("TWEESTAP_SMTP_SECURITY", "tls"),
        ("TWEESTAP_SMTP_USERNAME", "tweestap"),
        ("TWEESTAP_SMTP_PASSWORD", "smtp-geheim"),
        ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
    ])
    .unwrap();
    assert_eq!((server.security, server.port), (SmtpSecurity::Tls, 465));
    assert_eq!(
        server.credentials,
        Some(("tweestap".to_owned(), "smtp-geheim".to_owned()))
    );
    assert!(
        !format!("{server:?}").contains("smtp-geheim"),
        "the password is never printed"
    );

    let server = smtp(&[
        ("TWEESTAP_SMTP_HOST", "127.0.0.1"),
        ("TWEESTAP_SMTP_SECURITY", "none"),
        ("TWEESTAP_SMTP_PORT", "2525"),
        ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
    ])
    .unwrap();
    assert_eq!((server.security, server.port), (SmtpSecurity::Plain, 2525));
}

#[test]
fn smtp_reads_the_ca_file_of_an_internal_mail_server() {
    let dir = std::env::temp_dir().join(format!("tweestap-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("ca.pem");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    std::fs::write(&pem, params.self_signed(&key).unwrap().pem()).unwrap();
    let not_pem = dir.join("ca.txt");
    std::fs::write(&not_pem, "geen certificaat").unwrap();
    // PEM armour around something that is no certificate.
    let broken = dir.join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let with = |file: &Path, security: &'static str| {
        let file = file.to_str().unwrap().to_owned();
        let vars = [
            ("TWEESTAP_SMTP_HOST", "smtp.zorg.local".to_owned()),
            ("TWEESTAP_SMTP_SECURITY", security.to_owned()),
            ("TWEESTAP_SMTP_CA_FILE", file),
            ("TWEESTAP_MAIL_FROM", "noreply@zorg.local".to_owned()),
        ];
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        smtp(&vars)
    };
    let server = with(&pem, "starttls").unwrap();
    assert_eq!(server.ca_pem, Some(std::fs::read(&pem).unwrap()));
    let missing = dir.join("missing.pem");
    for (file, problem) in [
        (not_pem.as_path(), "holds no PEM certificate"),
        (broken.as_path(), "holds no PEM certificate"),
        (missing.as_path(), "cannot be read"),
    ] {
        let err = with(file, "tls").unwrap_err();
        assert!(
            err.contains("TWEESTAP_SMTP_CA_FILE") && err.contains(problem),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn smtp_refuses_plain_text_over_a_network_and_names_every_bad_value() {
    let err = smtp(&[
        ("TWEESTAP_SMTP_HOST", "smtp.example.nl"),
        ("TWEESTAP_SMTP_SECURITY", "none"),
        ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
    ])
    .unwrap_err();
    assert!(
        err.contains("TWEESTAP_SMTP_SECURITY=none is only allowed"),
        "{err}"
    );

    let err = smtp(&[]).unwrap_err();
    for name in ["TWEESTAP_SMTP_HOST", "TWEESTAP_MAIL_FROM"] {
        assert!(err.contains(name), "{name} missing from: {err}");
    }
    for (name, value) in [
        ("TWEESTAP_SMTP_HOST", "smtp://smtp.example.nl:587"),
        ("TWEESTAP_SMTP_SECURITY", "ssl"),
        ("TWEESTAP_SMTP_PORT", "70000"),
        ("TWEESTAP_SMTP_PORT", "0"),
        ("TWEESTAP_MAIL_FROM", "niet een adres"),
    ] {
        let err = smtp(&[(name, value)]).unwrap_err();
        assert!(err.contains(name), "{name} missing from: {err}");
    }
    let err = smtp(&[
        ("TWEESTAP_SMTP_HOST", "[::1]"),
        ("TWEESTAP_SMTP_SECURITY", "NONE"),
        ("TWEESTAP_SMTP_USERNAME", "tweestap"),
        ("TWEESTAP_MAIL_FROM", "noreply@praktijk.example.nl"),
        ("TWEESTAP_SMTP_CA_FILE", "/nonexistent/ca.pem"),
    ])
    .unwrap_err();
    assert!(err.contains("TWEESTAP_SMTP_CA_FILE"), "{err}");
    let err = smtp(&[
        ("TWEESTAP_SMTP_HOST", "[::1]"),
        ("TWEESTAP_SMTP_SECURITY", "NONE"),
        ("TWEESTAP_SMTP_USERNAME", "tweestap"),
    ])
    .unwrap_err();
    for name in ["TWEESTAP_SMTP_PASSWORD", "TWEESTAP_MAIL_FROM"] {
        assert!(err.contains(name), "{name} missing from: {err}");
    }
}

#[test]
fn reads_a_configured_key_and_the_timeouts() {
    let key = STANDARD.encode([9u8; 32]);
    let parsed = parse(&[("TWEESTAP_SECRET_KEY", &key), ("TWEESTAP_DEMO", "true")]).unwrap();
    assert!(
        matches!(parsed.operations.key(), KeySource::Configured(ref k) if k.expose() == &[9u8; 32])
    );
    assert!(parsed.operations.demo);
    assert!(parse(&[("TWEESTAP_DEMO", "no")]).is_ok_and(|c| !c.operations.demo));
    let config = settings(&[
        ("TWEESTAP_SECRET_KEY", &key),
        ("TWEESTAP_SESSION_IDLE_MINUTES", "15"),
        ("TWEESTAP_SESSION_MAX_HOURS", "8"),
        ("TWEESTAP_DEMO", "true"),
    ])
    .unwrap();
    assert_eq!(config.session_idle, Duration::minutes(15));
    assert_eq!(config.session_max, Duration::hours(8));
}

#[test]
fn the_development_key_sits_next_to_the_database_and_is_private() {
    assert_eq!(
        file_next_to("sqlite://data/tw.db?mode=rwc", "tweestap.key"),
        Path::new("data/tweestap.key")
    );
    assert_eq!(
        file_next_to("postgres://db/x", "tweestap.key"),
        Path::new("tweestap.key")
    );

    let dir = std::env::temp_dir().join(format!("tweestap-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tweestap.key");
    std::fs::remove_file(&path).ok();
    let first = load_or_create_key(&path).unwrap();
    let again = load_or_create_key(&path).unwrap();
    assert_eq!(
        first.expose(),
        again.expose(),
        "the key is reused on the next start"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
