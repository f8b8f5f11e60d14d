//! The rollout: before the optional date nothing changes; from it, clinicians are invited and
//! may say "Niet nu"; from the mandatory date two-step authentication is required (SEC-04).
//! Dates are judged in Europe/Amsterdam by the server's clock alone.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Before,
    Optional,
    Mandatory,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rollout {
    pub optional_from: NaiveDate,
    pub mandatory_from: NaiveDate,
}

impl Rollout {
    /// Without configured dates: the optional period runs from today, and two-step
    /// authentication becomes mandatory three months later.
    pub fn starting(today: NaiveDate) -> Self {
        Self {
            optional_from: today,
            mandatory_from: today + Duration::days(91),
        }
    }

    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        let today = local_date(now);
        if today >= self.mandatory_from {
            Phase::Mandatory
        } else if today >= self.optional_from {
            Phase::Optional
        } else {
            Phase::Before
        }
    }

    /// The last day to set it up voluntarily (the introduction words it in the page's language).
    pub fn last_optional_day(&self) -> NaiveDate {
        self.mandatory_from - Duration::days(1)
    }
}

pub fn local_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Amsterdam).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn phases_change_at_midnight_in_amsterdam() {
        let rollout = Rollout {
            optional_from: date(2027, 1, 1),
            mandatory_from: date(2027, 7, 1),
        };
        // 31 December 22:59 UTC is 23:59 in Amsterdam: still before.
        let before = Utc.with_ymd_and_hms(2026, 12, 31, 22, 59, 0).unwrap();
        assert_eq!(rollout.phase(before), Phase::Before);
        // 23:00 UTC is midnight in Amsterdam (winter time): the optional period starts.
        let start = Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap();
        assert_eq!(rollout.phase(start), Phase::Optional);
        // In summer Amsterdam is two hours ahead: 30 June 22:00 UTC is 1 July 00:00.
        let last = Utc.with_ymd_and_hms(2027, 6, 30, 21, 59, 0).unwrap();
        assert_eq!(rollout.phase(last), Phase::Optional);
        let mandatory = Utc.with_ymd_and_hms(2027, 6, 30, 22, 0, 0).unwrap();
        assert_eq!(rollout.phase(mandatory), Phase::Mandatory);
        assert_eq!(rollout.last_optional_day(), date(2027, 6, 30));
    }

    #[test]
    fn by_default_the_optional_period_is_running() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let rollout = Rollout::starting(local_date(now));
        assert_eq!(rollout.phase(now), Phase::Optional);
        assert_eq!(rollout.phase(now + Duration::days(90)), Phase::Optional);
        assert_eq!(rollout.phase(now + Duration::days(92)), Phase::Mandatory);
    }
}
