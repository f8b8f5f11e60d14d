//! Recovery codes in the manual's format, `2E7G-XZX8-C8MW`: three groups of four characters
//! from an alphabet without look-alikes (no 0 or O, no 1 or I). Twelve characters of five bits each
//! are 60 bits from the OS random source (SEC-12).

/// 32 characters: the digits 2-9 and the letters except I and O.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
pub const COUNT: usize = 10;
const LEN: usize = 12;

/// A fresh code, formatted for people.
pub fn generate() -> String {
    let bytes = crate::crypto::os_random::<LEN>();
    // 256 is a multiple of 32: taking the low five bits keeps every character equally likely.
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect();
    format(&chars)
}

pub fn generate_set() -> Vec<String> {
    let mut codes: Vec<String> = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let code = generate();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

fn format(chars: &str) -> String {
    format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
}

/// The code as stored (hashed): upper case, without dashes and spaces. `None` when the input
/// cannot be a code, so that it is refused before any lookup.
pub fn normalize(input: &str) -> Option<String> {
    let chars: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() == LEN && chars.bytes().all(|b| ALPHABET.contains(&b))).then_some(chars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_alphabet_has_32_distinct_characters_without_look_alikes() {
        let mut sorted = ALPHABET.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 32);
        for look_alike in b"01IO" {
            assert!(!ALPHABET.contains(look_alike));
        }
    }

    #[test]
    fn the_manuals_example_is_a_valid_code() {
        assert_eq!(normalize("2E7G-XZX8-C8MW").as_deref(), Some("2E7GXZX8C8MW"));
        assert_eq!(normalize("2e7g xzx8 c8mw").as_deref(), Some("2E7GXZX8C8MW"));
        assert_eq!(normalize("2E7GXZX8C8MW").as_deref(), Some("2E7GXZX8C8MW"));
        for bad in [
            "",
            "2E7G-XZX8",
            "2E7G-XZX8-C8MW-AAAA",
            "0E7G-XZX8-C8MW",
            "2E7G-XZX8-C8M!",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_set_has_ten_different_codes() {
        let set = generate_set();
        assert_eq!(set.len(), COUNT);
        let mut unique = set.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COUNT);
    }

    proptest! {
        // Every generated code has the manual's shape and reads back as itself, typed in any
        // case, with or without dashes.
        #[test]
        fn generated_codes_parse_back(lower in any::<bool>(), dashes in any::<bool>()) {
            let code = generate();
            prop_assert_eq!(code.len(), 14);
            prop_assert_eq!(code.matches('-').count(), 2);
            let mut typed = if dashes { code.clone() } else { code.replace('-', "") };
            if lower { typed = typed.to_lowercase(); }
            prop_assert_eq!(normalize(&typed), Some(code.replace('-', "")));
        }

        // Arbitrary input never panics, and whatever is accepted is twelve alphabet characters.
        #[test]
        fn any_input_is_parsed_safely(input in ".{0,40}") {
            if let Some(code) = normalize(&input) {
                prop_assert_eq!(code.len(), 12);
                prop_assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
            }
        }
    }
}
