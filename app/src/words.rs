//! Dutch words that depend on a number: "1 herstelcode", "3 herstelcodes".

/// The number with the singular for exactly one, the plural otherwise (also for none).
pub fn count(n: impl Into<i64>, one: &str, more: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { more })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1, "herstelcode", "herstelcodes"), "1 herstelcode");
        assert_eq!(count(0, "herstelcode", "herstelcodes"), "0 herstelcodes");
        assert_eq!(count(10, "dag", "dagen"), "10 dagen");
        assert_eq!(count(-1, "minuut", "minuten"), "-1 minuten");
    }
}
