//! An email address as the platform knows it: trimmed, lower-cased, plausible.

use crate::error::Invalid;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        // Lower-cased first: some characters grow when lower-cased, and the limit is on what
        // is stored.
        let trimmed = &input.trim().to_lowercase();
        if trimmed.is_empty() {
            return Err(Invalid::EmailMissing);
        }
        if trimmed.len() > Self::MAX_LEN {
            return Err(Invalid::EmailTooLong);
        }
        let valid = match trimmed.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(Invalid::EmailInvalid);
        }
        Ok(Self(trimmed.clone()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Judith@Example.NL ").unwrap();
        assert_eq!(email.as_str(), "judith@example.nl");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        assert_eq!(Email::parse("   ").unwrap_err(), Invalid::EmailMissing);
        for bad in [
            "judith",
            "@example.nl",
            "judith@",
            "judith@nl",
            "a b@example.nl",
            "a@b@c.nl",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err(),
                Invalid::EmailInvalid,
                "{bad}"
            );
        }
        let long = format!("{}@example.nl", "a".repeat(300));
        assert_eq!(Email::parse(&long).unwrap_err(), Invalid::EmailTooLong);
    }

    proptest! {
        #[test]
        fn never_panics_and_accepts_only_bounded_lowercase(input in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&input) {
                prop_assert!(email.as_str().len() <= Email::MAX_LEN);
                prop_assert_eq!(email.as_str().to_lowercase(), email.as_str());
                prop_assert!(email.as_str().contains('@'));
            }
        }
    }
}
