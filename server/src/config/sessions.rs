//! How long a login lasts, how long a browser is remembered, and from when two-step
//! authentication is offered and then required.

use chrono::{Duration, NaiveDate};
use tweestap_domain::{settings::Settings, twofactor::policy::Rollout};

use super::parse::{Trimmed, unmet};

/// The sessions' times, the second step's time, "Onthoud mij" and the rollout dates.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "Sessions and rollout")]
pub struct Sessions {
    /// A session ends after this many minutes without a request
    #[arg(long, env = "TWEESTAP_SESSION_IDLE_MINUTES", value_name = "TWEESTAP_SESSION_IDLE_MINUTES", default_value_t = Settings::DEFAULT_SESSION_IDLE_MINUTES, value_parser = Trimmed(clap::value_parser!(i64).range(1..=1440)))]
    pub session_idle_minutes: i64,
    /// And at the latest this many hours after login
    #[arg(long, env = "TWEESTAP_SESSION_MAX_HOURS", value_name = "TWEESTAP_SESSION_MAX_HOURS", default_value_t = Settings::DEFAULT_SESSION_MAX_HOURS, value_parser = Trimmed(clap::value_parser!(i64).range(1..=720)))]
    pub session_max_hours: i64,
    /// Minutes a login may take between the password and the second step; after that the
    /// session is gone and the clinician logs in again (SEC-30)
    #[arg(long, env = "TWEESTAP_SECOND_STEP_MINUTES", value_name = "TWEESTAP_SECOND_STEP_MINUTES", default_value_t = Settings::DEFAULT_SECOND_STEP_MINUTES, value_parser = Trimmed(clap::value_parser!(i64).range(1..=60)))]
    pub second_step_minutes: i64,
    /// YYYY-MM-DD: from this day clinicians see the introduction to two-step authentication
    /// (default: the day the server started)
    #[arg(long = "2fa-optional-from", env = "TWEESTAP_2FA_OPTIONAL_FROM", value_name = "TWEESTAP_2FA_OPTIONAL_FROM", value_parser = date)]
    pub optional_from: Option<NaiveDate>,
    /// YYYY-MM-DD: from this day two-step authentication is required (default: 91 days after
    /// the server started)
    #[arg(long = "2fa-mandatory-from", env = "TWEESTAP_2FA_MANDATORY_FROM", value_name = "TWEESTAP_2FA_MANDATORY_FROM", value_parser = date)]
    pub mandatory_from: Option<NaiveDate>,
    /// How long "Onthoud mij" spares the code on a browser, in hours: the first and default
    /// length; the longer choices (1 dag, 3 dagen, een week) are offered beside it
    #[arg(long, env = "TWEESTAP_REMEMBER_HOURS", value_name = "TWEESTAP_REMEMBER_HOURS", default_value_t = Settings::DEFAULT_REMEMBER_HOURS, value_parser = Trimmed(clap::value_parser!(i64).range(1..=720)))]
    pub remember_hours: i64,
    /// The longest "Onthoud mij" may last, in hours: longer choices are not offered (12: only
    /// the checkbox, for shared workstations)
    #[arg(long, env = "TWEESTAP_REMEMBER_MAX_HOURS", value_name = "TWEESTAP_REMEMBER_MAX_HOURS", default_value_t = Settings::DEFAULT_REMEMBER_MAX_HOURS, value_parser = Trimmed(clap::value_parser!(i64).range(1..=720)))]
    pub remember_max_hours: i64,
}

impl Sessions {
    pub(super) fn problems(&self) -> Vec<&'static str> {
        unmet([
            (
                self.session_idle_minutes <= self.session_max_hours * 60,
                "TWEESTAP_SESSION_IDLE_MINUTES must not be longer than TWEESTAP_SESSION_MAX_HOURS",
            ),
            (
                !matches!((self.optional_from, self.mandatory_from), (Some(o), Some(m)) if o > m),
                "TWEESTAP_2FA_OPTIONAL_FROM must not be after TWEESTAP_2FA_MANDATORY_FROM",
            ),
            (
                self.remember_hours <= self.remember_max_hours,
                "TWEESTAP_REMEMBER_HOURS must not be longer than TWEESTAP_REMEMBER_MAX_HOURS (168 unless set)",
            ),
        ])
    }

    pub(super) fn apply(&self, settings: &mut Settings) {
        settings.session_idle = Duration::minutes(self.session_idle_minutes);
        settings.session_max = Duration::hours(self.session_max_hours);
        settings.second_step_for = Duration::minutes(self.second_step_minutes);
        settings.remember_for = Duration::hours(self.remember_hours);
        settings.remember_max = Duration::hours(self.remember_max_hours);
        if let Some(rollout) = self.rollout() {
            settings.rollout = rollout;
        }
    }

    /// The configured rollout dates; `None` for the default (optional from today, mandatory
    /// in three months). One date alone: optional from it for ever, or mandatory from it.
    pub fn rollout(&self) -> Option<Rollout> {
        match (self.optional_from, self.mandatory_from) {
            (None, None) => None,
            (Some(optional_from), mandatory_from) => Some(Rollout {
                optional_from,
                mandatory_from: mandatory_from.unwrap_or(NaiveDate::MAX),
            }),
            (None, Some(mandatory_from)) => Some(Rollout {
                optional_from: mandatory_from,
                mandatory_from,
            }),
        }
    }
}

fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a date as YYYY-MM-DD (for example 2027-07-01)".to_owned())
}
