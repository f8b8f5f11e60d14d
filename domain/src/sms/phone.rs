//! Mobile numbers as clinicians type them, stored as E.164 (`+31612345678`) and shown masked.

use crate::error::Invalid;

/// A mobile number in E.164: `+`, the country code and the number, 8 to 15 digits in all.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

/// Longest input looked at: a number with spaces and a `+`, and some slack.
const MAX_INPUT: usize = 32;

impl PhoneNumber {
    /// Accepts a Dutch mobile number without country code (`06 12345678`, `06-12345678`), or any
    /// number with its country code (`+31 6 12345678`, `0031612345678`, `+32 470 12 34 56`).
    /// Dutch numbers must be mobile numbers (06): a landline cannot receive the code.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Invalid::PhoneMissing);
        }
        if input.chars().count() > MAX_INPUT {
            return Err(Invalid::PhoneInvalid);
        }
        let mut compact = String::with_capacity(input.len());
        for c in input.chars() {
            match c {
                ' ' | '-' | '.' | '(' | ')' | '/' => {}
                '+' if compact.is_empty() => compact.push('+'),
                c if c.is_ascii_digit() => compact.push(c),
                _ => return Err(Invalid::PhoneInvalid),
            }
        }
        let international = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_owned()
        } else if compact.starts_with("06") {
            format!("31{}", &compact[1..])
        } else {
            return Err(Invalid::PhoneInvalid);
        };
        // "+31 (0)6 …", as printed on many business cards.
        let international = match international.strip_prefix("310") {
            Some(rest) => format!("31{rest}"),
            None => international,
        };
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(Invalid::PhoneInvalid);
        }
        if international.starts_with("31")
            && !(international.len() == 11 && international.starts_with("316"))
        {
            return Err(Invalid::PhoneInvalid);
        }
        Ok(Self(format!("+{international}")))
    }

    /// A number read back from storage, which `parse` made.
    pub fn from_stored(e164: String) -> Option<Self> {
        Self::parse(&e164).ok().filter(|parsed| parsed.0 == e164)
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    /// What the pages, the send log and the helpdesk see: `+31 6 ** ** ** 78`, or for other
    /// countries `+32 ******* 56`. Only the last two digits are shown.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let last_two = &digits[digits.len() - 2..];
        if digits.starts_with("316") {
            return format!("+31 6 ** ** ** {last_two}");
        }
        let hidden = "*".repeat(digits.len() - 4);
        format!("+{} {hidden} {last_two}", &digits[..2])
    }
}

/// Never printed whole, also not by accident in a log line.
impl std::fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dutch_mobile_numbers_in_every_usual_notation() {
        for input in [
            "0612345678",
            "06 12345678",
            "06-12345678",
            "06 - 12 34 56 78",
            "+31612345678",
            "+31 6 12345678",
            "+31 (0)6 12345678",
            "0031 6 1234 5678",
            "  06.12.34.56.78 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.0),
                Ok("+31612345678".to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn other_countries_need_their_country_code() {
        assert_eq!(
            PhoneNumber::parse("+32 470 12 34 56").unwrap().e164(),
            "+32470123456"
        );
        assert_eq!(
            PhoneNumber::parse("0049 1512 3456789").unwrap().e164(),
            "+4915123456789"
        );
    }

    #[test]
    fn refuses_what_cannot_receive_a_code() {
        assert_eq!(PhoneNumber::parse("  "), Err(Invalid::PhoneMissing));
        for input in [
            "010 1234567",       // a Dutch landline
            "+31 20 1234567",    // the same, international
            "061234567",         // a digit short
            "06123456789",       // a digit too many
            "612345678",         // no 0 and no country code
            "+0123456789",       // no country starts with 0
            "+1234567",          // too short
            "+1234567890123456", // too long
            "06 1234 567a",
            "06+12345678",
            "tel:0612345678",
            "0612345678000000000000000000000000000",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.0),
                Err(Invalid::PhoneInvalid),
                "{input}"
            );
        }
    }

    #[test]
    fn masks_all_but_the_last_two_digits() {
        assert_eq!(
            PhoneNumber::parse("06 12345678").unwrap().masked(),
            "+31 6 ** ** ** 78"
        );
        assert_eq!(
            PhoneNumber::parse("+32 470 12 34 56").unwrap().masked(),
            "+32 ******* 56"
        );
        assert_eq!(
            format!("{:?}", PhoneNumber::parse("0612345678").unwrap()),
            "PhoneNumber(+31 6 ** ** ** 78)"
        );
    }

    proptest! {
        #[test]
        fn any_dutch_mobile_number_round_trips(n in 0u32..100_000_000) {
            let typed = format!("06 {n:08}");
            let parsed = PhoneNumber::parse(&typed).unwrap();
            prop_assert_eq!(parsed.e164(), format!("+316{n:08}"));
            prop_assert_eq!(PhoneNumber::from_stored(parsed.e164().to_owned()), Some(parsed.clone()));
            prop_assert_eq!(parsed.masked(), format!("+31 6 ** ** ** {}", &format!("{n:08}")[6..]));
        }

        #[test]
        fn never_panics_and_never_accepts_letters(input in ".{0,40}") {
            if let Ok(number) = PhoneNumber::parse(&input) {
                prop_assert!(number.e164()[1..].bytes().all(|b| b.is_ascii_digit()));
                prop_assert!((9..=16).contains(&number.e164().len()));
            }
        }
    }
}
