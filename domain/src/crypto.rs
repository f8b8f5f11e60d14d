//! Randomness for secrets comes from the operating system, never from a seeded generator.

use rand::{TryRngCore as _, rngs::OsRng};

/// 32 bytes for encrypting secrets at rest and keying hashes. Never printed.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// `N` bytes from the OS random source. The OS failing to give randomness is not something to
/// carry on from, so this panics in that one case.
pub fn os_random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random source failed");
    bytes
}

/// Encrypts a secret for storage with AES-256-GCM under the configured key (SEC-08). `context`
/// binds the ciphertext to its place (for example the user it belongs to), so that a value
/// copied to another row does not decrypt. Stored as base64 of nonce and ciphertext.
pub fn seal(key: &SecretKey, context: &str, plaintext: &[u8]) -> String {
    use aes_gcm::{
        Aes256Gcm, KeyInit, Nonce,
        aead::{Aead, Payload},
    };
    use base64::{Engine as _, engine::general_purpose::STANDARD};
    let cipher = Aes256Gcm::new(key.expose().into());
    let nonce = os_random::<12>();
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: context.as_bytes(),
            },
        )
        .expect("AES-GCM encryption of a short secret cannot fail");
    let mut stored = nonce.to_vec();
    stored.extend_from_slice(&sealed);
    STANDARD.encode(stored)
}

/// The plaintext of `seal`, or `None` when the value was altered, belongs elsewhere or was
/// sealed under another key.
pub fn open(key: &SecretKey, context: &str, stored: &str) -> Option<Vec<u8>> {
    use aes_gcm::{
        Aes256Gcm, KeyInit, Nonce,
        aead::{Aead, Payload},
    };
    use base64::{Engine as _, engine::general_purpose::STANDARD};
    let bytes = STANDARD.decode(stored).ok()?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(12);
    Aes256Gcm::new(key.expose().into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: context.as_bytes(),
            },
        )
        .ok()
}

/// HMAC-SHA256 under the configured key, hex: for values that are looked up but must not be
/// recoverable from the database alone, such as recovery codes (SEC-12).
pub fn keyed_hash(key: &SecretKey, purpose: &str, value: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.expose())
        .expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use SecretKey;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context_sec_08() {
        let key = SecretKey::from_bytes([7; 32]);
        let sealed = seal(&key, "totp:1", b"secret bytes");
        assert!(!sealed.contains("secret"));
        assert_eq!(open(&key, "totp:1", &sealed).unwrap(), b"secret bytes");
        assert!(
            open(&key, "totp:2", &sealed).is_none(),
            "another user's row"
        );
        assert!(open(&SecretKey::from_bytes([8; 32]), "totp:1", &sealed).is_none());
        assert_ne!(
            seal(&key, "totp:1", b"secret bytes"),
            sealed,
            "a fresh nonce"
        );
        let mut altered =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &sealed).unwrap();
        altered[20] ^= 1;
        let altered = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, altered);
        assert!(open(&key, "totp:1", &altered).is_none());
        assert!(open(&key, "totp:1", "kort").is_none());
    }

    #[test]
    fn keyed_hashes_depend_on_key_and_purpose_sec_12() {
        let key = SecretKey::from_bytes([7; 32]);
        let a = keyed_hash(&key, "recovery", "2E7GXZX8C8MW");
        assert_eq!(a.len(), 64);
        assert_eq!(a, keyed_hash(&key, "recovery", "2E7GXZX8C8MW"));
        assert_ne!(a, keyed_hash(&key, "other", "2E7GXZX8C8MW"));
        assert_ne!(
            a,
            keyed_hash(&SecretKey::from_bytes([8; 32]), "recovery", "2E7GXZX8C8MW")
        );
    }
}
