//! Percent-encoding for the few places that build addresses: `?volgende=` after login and the
//! `otpauth://` key URI for authenticator apps.

/// Percent-encodes everything but the unreserved characters (RFC 3986) and those in `keep`.
pub fn percent_encode(value: &str, keep: &[u8]) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ if keep.contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A path as the value of a query parameter, such as `?volgende=/profiel`.
pub fn query_value(value: &str) -> String {
    percent_encode(value, b"/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_all_but_unreserved_and_kept_characters() {
        assert_eq!(
            query_value("/profiel?tab=a&b=c"),
            "/profiel%3Ftab%3Da%26b%3Dc"
        );
        assert_eq!(
            percent_encode("PRO Praktijksteun", b""),
            "PRO%20Praktijksteun"
        );
        assert_eq!(percent_encode("cliënt@x.nl", b"@"), "cli%C3%ABnt@x.nl");
    }
}
