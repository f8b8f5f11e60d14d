//! Randomness for secrets comes from the operating system, never from a seeded generator.

use rand::{TryRngCore as _, rngs::OsRng};

/// `N` bytes from the OS random source. The OS failing to give randomness is not something to
/// carry on from, so this panics in that one case.
pub fn os_random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random source failed");
    bytes
}
