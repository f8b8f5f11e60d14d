//! Dates and times as a clinician reads them: in Europe/Amsterdam, with the month's name in
//! their language ("25 november 2026 om 09:30", "25 November 2026 at 09:30").

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Amsterdam;

use crate::lang::Lang;

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

pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month's name (`month0` counts from 0) in `lang`.
pub fn month(month0: u32, lang: Lang) -> &'static str {
    let names = match lang {
        Lang::Nl => &MONTHS,
        Lang::En => &MONTHS_EN,
    };
    names[month0 as usize % 12]
}

/// "25 november 2026 om 09:30"
pub fn format_dutch(at: DateTime<Utc>) -> String {
    format_at(at, Lang::Nl)
}

/// "25 november 2026 om 09:30", "25 November 2026 at 09:30"
pub fn format_at(at: DateTime<Utc>, lang: Lang) -> String {
    let local = at.with_timezone(&Amsterdam);
    let at_word = match lang {
        Lang::Nl => "om",
        Lang::En => "at",
    };
    format!(
        "{} {} {} {at_word} {:02}:{:02}",
        local.day(),
        month(local.month0(), lang),
        local.year(),
        local.hour(),
        local.minute()
    )
}

/// "1 juli 2027", "1 July 2027"
pub fn format_day(day: chrono::NaiveDate, lang: Lang) -> String {
    format!("{} {} {}", day.day(), month(day.month0(), lang), day.year())
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
        assert_eq!(format_at(summer, Lang::En), "30 June 2026 at 23:05");
        let day = chrono::NaiveDate::from_ymd_opt(2027, 7, 1).unwrap();
        assert_eq!(format_day(day, Lang::Nl), "1 juli 2027");
        assert_eq!(format_day(day, Lang::En), "1 July 2027");
    }
}
