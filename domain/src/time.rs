//! Dates and times as a Dutch clinician reads them: in Europe/Amsterdam, with Dutch month names.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Amsterdam;

pub const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "25 november 2026 om 09:30"
pub fn format_dutch(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Amsterdam);
    format!(
        "{} {} {} om {:02}:{:02}",
        local.day(),
        MONTHS[local.month0() as usize],
        local.year(),
        local.hour(),
        local.minute()
    )
}

/// "1 juli 2027"
pub fn format_date(day: chrono::NaiveDate) -> String {
    format!(
        "{} {} {}",
        day.day(),
        MONTHS[day.month0() as usize],
        day.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_amsterdam_time_in_winter_and_summer() {
        let winter = Utc.with_ymd_and_hms(2026, 11, 25, 8, 30, 0).unwrap();
        assert_eq!(format_dutch(winter), "25 november 2026 om 09:30");
        let summer = Utc.with_ymd_and_hms(2026, 6, 30, 21, 5, 0).unwrap();
        assert_eq!(format_dutch(summer), "30 juni 2026 om 23:05");
    }
}
