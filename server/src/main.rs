//! The `server` command: serve the app, run migrations or the retention job, or manage users.

use std::{io::BufRead as _, net::SocketAddr, process::ExitCode, sync::Arc};

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use server::{
    config::{self, Config, LogFormat},
    demo, operations, router_with_metrics,
};
use tweestap_domain::{
    Context,
    accounts::{email::Email, password::Password, users},
    clock::SystemClock,
    db::{self, entity::user::Role},
};

#[derive(Parser)]
#[command(
    name = "server",
    about = "Tweestap: two-step authentication for the e-health platform",
    after_help = "Also read: LEPTOS_SITE_ADDR (default 127.0.0.1:3000), LEPTOS_SITE_ROOT \
                  (default target/site), RUST_LOG (default info,sqlx=warn,sea_orm=warn)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations, then serve the app (the default).
    Serve,
    /// Run migrations and exit.
    Migrate,
    /// Remove what is kept no longer (SEC-26) once, print how much went, count today's rollout
    /// for the helpdesk's chart, and exit; `serve` does the same every hour.
    Maintenance,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input (one line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Give the user the admin role.
        #[arg(long)]
        admin: bool,
    },
    /// Reset a user's two-step authentication (a lost phone): removes the factor, recovery
    /// codes and remembered browsers, ends the user's sessions, and logs the reason.
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[arg(long)]
        email: String,
        /// Why, for the user's security log (required).
        #[arg(long)]
        reason: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // The command line first: it says how to log. Its own errors go to stderr as they are.
    let matches = config::blank_env_is_unset(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    init_logging(cli.config.operations.log_format);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG`, as text or as one JSON object a line.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    let settings = config.settings()?;
    let db = db::connect(&config.operations.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db::migrate(&db)
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    let ctx = Context::new(db, Arc::new(SystemClock), settings);

    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            println!("migrations are up to date");
            Ok(())
        }
        Command::User {
            command: UserCommand::Add { email, name, admin },
        } => add_user(&ctx, &email, &name, admin).await,
        Command::User {
            command: UserCommand::Reset2fa { email, reason },
        } => reset_2fa(&ctx, &email, &reason).await,
        Command::Maintenance => maintenance(&ctx).await,
        Command::Serve => serve(ctx, &config).await,
    }
}

/// What is wrong with an operator's input, in the same Dutch words as on the pages.
fn in_dutch(invalid: tweestap_domain::Invalid) -> String {
    app::error::Invalid::from(invalid).to_string()
}

/// A service's answer in the pages' Dutch words; an internal failure is logged with its cause
/// chain by the same mapping the server functions use.
fn answer(err: tweestap_domain::Error) -> String {
    app::error::AppError::from(err).to_string()
}

async fn add_user(ctx: &Context, email: &str, name: &str, admin: bool) -> Result<(), String> {
    let email = Email::parse(email).map_err(in_dutch)?;
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("Wachtwoord voor {email} (één regel): ");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password =
        Password::new_password(line.trim_end_matches(['\r', '\n']).to_owned()).map_err(in_dutch)?;
    let role = if admin {
        Role::Admin
    } else {
        Role::Professional
    };
    let user = users::create(ctx, &email, name, &password, role)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "created user {} ({}) with id {}",
        user.email, user.display_name, user.id
    );
    Ok(())
}

async fn reset_2fa(ctx: &Context, email: &str, reason: &str) -> Result<(), String> {
    let parsed = Email::parse(email).map_err(in_dutch)?;
    let user = users::find_by_email(ctx, &parsed)
        .await
        .map_err(|e| answer(e.into()))?
        .ok_or_else(|| format!("no user with email {email}"))?;
    let operator = std::env::var("USER").unwrap_or_else(|_| "operator".to_owned());
    tweestap_domain::helpdesk::reset_two_factor(
        ctx,
        user.id,
        &format!("{operator} (server)"),
        reason,
        None,
    )
    .await
    .map_err(answer)?;
    println!(
        "two-step authentication reset for {} ({}); their sessions are ended",
        user.email, user.display_name
    );
    // The user is told by email now rather than at the server's next round; a mail that
    // does not go out stays queued for the server's worker.
    if ctx.settings.mail.provider.is_some() {
        match tweestap_domain::mail::deliver_due(ctx).await {
            Ok(report) if report.sent > 0 => println!("the user was emailed"),
            _ => println!("the email to the user is queued; the server sends it"),
        }
    } else {
        // The mail settings are the server's: run this with the server's environment.
        eprintln!(
            "warning: TWEESTAP_MAIL_PROVIDER is not set, so the user is NOT emailed about this \
             reset; run the command with the server's environment, or tell the user yourself"
        );
    }
    Ok(())
}

async fn maintenance(ctx: &Context) -> Result<(), String> {
    let report = tweestap_domain::retention::run_once(ctx)
        .await
        .map_err(|e| format!("retention failed: {}", e.chain()))?;
    println!(
        "retention ({} days for the security log and SMS sends): {report}",
        tweestap_domain::retention::retention_period(&ctx.settings).num_days()
    );
    let counted = tweestap_domain::helpdesk::history::record_today(ctx)
        .await
        .map_err(|e| format!("counting today's rollout failed: {}", e.chain()))?;
    println!(
        "rollout today: {} with the app, {} with SMS, {} with passkeys alone",
        counted.app, counted.sms, counted.passkey
    );
    Ok(())
}

async fn serve(ctx: Context, config: &Config) -> Result<(), String> {
    if config.operations.demo {
        demo::seed(&ctx)
            .await
            .map_err(|e| format!("seeding the demo accounts failed: {e}"))?;
    }
    if let Some(tweestap_domain::sms::SmsProvider::Outbox(path)) = &ctx.settings.sms.provider {
        tracing::warn!(
            file = %path.display(),
            "SMS codes are written to the outbox file, not sent: for development and tests only (TWEESTAP_SMS_PROVIDER)"
        );
    }
    match &ctx.settings.mail.provider {
        Some(tweestap_domain::mail::MailProvider::Outbox(path)) => tracing::warn!(
            file = %path.display(),
            "security emails are written to the outbox file, not sent: for development and tests only (TWEESTAP_MAIL_PROVIDER)"
        ),
        Some(tweestap_domain::mail::MailProvider::Smtp(smtp)) => tracing::info!(
            host = %smtp.host,
            port = smtp.port,
            security = ?smtp.security,
            "security emails go to the SMTP server"
        ),
        None => tracing::warn!(
            "no mail provider: users are not emailed about changes to their sign-in (TWEESTAP_MAIL_PROVIDER)"
        ),
    }
    if ctx.settings.mail.provider.is_some() {
        tweestap_domain::mail::spawn_worker(ctx.clone());
    }
    operations::recorder();
    operations::spawn_upkeep();
    if let Some(metrics_addr) = config.operations.metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .map_err(|e| format!("cannot listen on {metrics_addr} (TWEESTAP_METRICS_ADDR): {e}"))?;
        tracing::info!("metrics on http://{metrics_addr}/metrics");
        let metrics_ctx = ctx.clone();
        tokio::spawn(async move {
            if let Err(err) = operations::serve_metrics(listener, metrics_ctx).await {
                tracing::error!(error = %err, "the metrics listener stopped");
            }
        });
    }
    let metrics_token = config.operations.metrics_token();
    if metrics_token.is_some() {
        tracing::info!("metrics at /metrics on the main address, with the bearer token");
    }
    tweestap_domain::retention::spawn_worker(ctx.clone());
    // Today's numbers for the helpdesk's rollout chart, every hour.
    tweestap_domain::helpdesk::history::spawn_worker(ctx.clone());
    let conf = leptos::config::get_configuration(None).map_err(|e| e.to_string())?;
    let options = conf.leptos_options;
    let addr = options.site_addr;
    let app = router_with_metrics(ctx, options, metrics_token);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::CommandFactory as _;

    use super::Cli;

    /// The README's section "Configuration".
    fn readme_configuration() -> &'static str {
        include_str!("../../README.md")
            .split("\n## Configuration\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap()
    }

    /// `server --help` names every variable of the README's configuration table, with its
    /// default where the README gives one value.
    #[test]
    fn help_names_every_variable_and_default_of_the_readme() {
        let help = Cli::command().render_long_help().to_string();
        let table = readme_configuration();
        let mut checked = 0;
        for row in table.lines().filter(|line| line.starts_with("| `")) {
            let cells: Vec<&str> = row.split(" | ").collect();
            for name in cells[0].split('`').skip(1).step_by(2) {
                assert!(help.contains(name), "{name} missing from:\n{help}");
                checked += 1;
            }
            let default: Vec<&str> = cells[1].split('`').collect();
            if let ["", value, ""] = default[..] {
                // Our own variables show their default next to them; those Leptos and tracing
                // read are named with theirs in the closing text.
                let ours = cells[0]
                    .split('`')
                    .nth(1)
                    .is_some_and(|name| help.contains(&format!("[env: {name}=")));
                // clap quotes a default with spaces in it.
                let shown = if ours {
                    format!("[default: {value}]")
                } else {
                    value.to_owned()
                };
                let quoted = format!("[default: \"{value}\"]");
                assert!(
                    help.contains(&shown) || (ours && help.contains(&quoted)),
                    "{row}: {shown} missing from:\n{help}"
                );
            }
        }
        assert!(
            checked >= 40,
            "only {checked} variables found in the README"
        );
    }

    type Groups = Vec<(String, BTreeSet<String>)>;

    /// Each heading of `--help` with the variables of ours (`[env: NAME=`) under it.
    fn groups_of_help(help: &str) -> Groups {
        let mut groups: Groups = Vec::new();
        for line in help.lines() {
            if !line.starts_with(' ') && line.ends_with(':') {
                groups.push((line.trim_end_matches(':').to_owned(), BTreeSet::new()));
            }
            for (_, rest) in line
                .match_indices("[env: ")
                .map(|(at, _)| line.split_at(at + 6))
            {
                // `[env: NAME=value]`, or `[env: NAME]` for a secret whose value is hidden.
                let name = rest.split(['=', ']']).next().unwrap_or_default();
                if let Some((_, names)) = groups.last_mut() {
                    names.insert(name.to_owned());
                }
            }
        }
        groups.retain(|(_, names)| !names.is_empty());
        groups
    }

    /// Each `###` heading of the README's configuration with the variables of its table that
    /// `ours` says the server reads itself (Leptos and tracing read the others).
    fn groups_of_readme(section: &str, ours: impl Fn(&str) -> bool) -> Groups {
        section
            .split("\n### ")
            .skip(1)
            .map(|group| {
                let (heading, table) = group.split_once('\n').unwrap_or((group, ""));
                let names = table
                    .lines()
                    .filter(|row| row.starts_with("| `"))
                    .flat_map(|row| {
                        let names = row.split(" | ").next().unwrap_or_default();
                        names.split('`').skip(1).step_by(2)
                    })
                    .filter(|name| ours(name))
                    .map(str::to_owned)
                    .collect();
                (heading.to_owned(), names)
            })
            .collect()
    }

    /// The other way round, and by group: every variable `--help` names is in the README, under
    /// the heading it has in `--help`, and the groups come in the same order. So neither list can
    /// gain, lose or move a variable alone.
    #[test]
    fn the_readme_groups_the_variables_as_help_does() {
        let help = Cli::command().render_long_help().to_string();
        let from_help = groups_of_help(&help);
        let ours = |name: &str| {
            help.contains(&format!("[env: {name}=")) || help.contains(&format!("[env: {name}]"))
        };
        assert_eq!(groups_of_readme(readme_configuration(), ours), from_help);
        assert!(from_help.len() >= 6, "{from_help:?}");

        // The check can fail: a variable left out, or moved to another group.
        let section = readme_configuration();
        let row_of = |name: &str| {
            let start = section.find(&format!("| `{name}` |")).unwrap();
            let end = start + section[start..].find('\n').unwrap() + 1;
            &section[start..end]
        };
        let without = section.replacen(row_of("TWEESTAP_HASH_QUEUE"), "", 1);
        assert_ne!(groups_of_readme(&without, ours), from_help);
        let demo = row_of("TWEESTAP_DEMO");
        let mail_from = row_of("TWEESTAP_MAIL_FROM");
        let moved =
            section
                .replacen(demo, "", 1)
                .replacen(mail_from, &format!("{mail_from}{demo}"), 1);
        assert_ne!(groups_of_readme(&moved, ours), from_help);
    }
}
