//! Passwords: a type that never prints, and argon2id hashing off the async runtime with at most
//! as many hashes at once as the machine has cores (SEC-16).

use std::sync::{Arc, OnceLock};

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use tokio::sync::Semaphore;

use crate::error::{HashError, Invalid};

/// A password as typed. No `Debug` that shows it, no `Serialize`, no `Display`.
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 10;
    /// Long enough for any passphrase, short enough that nobody makes the server hash megabytes.
    pub const MAX_LEN: usize = 256;

    /// A password offered at login: only presence and size are checked, never the rules for new
    /// passwords, so that an old password still works.
    pub fn for_login(input: String) -> Result<Self, Invalid> {
        if input.is_empty() {
            return Err(Invalid::PasswordMissing);
        }
        if input.len() > Self::MAX_LEN {
            return Err(Invalid::PasswordTooLong);
        }
        Ok(Self(input))
    }

    /// A new password: at least `MIN_LEN` characters (NIST SP 800-63B).
    pub fn new_password(input: String) -> Result<Self, Invalid> {
        if input.chars().count() < Self::MIN_LEN {
            return Err(Invalid::PasswordTooShort);
        }
        Self::for_login(input)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// OWASP's minimum for argon2id: m = 19 MiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let input = password.0.clone();
        self.run(move || {
            argon2()
                .hash_password(input.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await?
    }

    /// True when the password matches the PHC string. A malformed stored hash never matches.
    pub async fn verify(&self, password: &Password, phc: &str) -> Result<bool, HashError> {
        let input = password.0.clone();
        let phc = phc.to_owned();
        self.run(move || {
            argon2()
                .verify_password(input.as_bytes(), phc.as_str())
                .is_ok()
        })
        .await
    }

    /// Spends the same work as a real verification, for accounts that do not exist (SEC-15).
    pub async fn verify_dummy(&self, password: &Password) -> Result<(), HashError> {
        let phc = dummy_hash().to_owned();
        self.verify(password, &phc).await.map(|_| ())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        // The wait alone, on the machine's clock: a measurement, not the domain's time.
        let waiting = std::time::Instant::now();
        let _permit = self.permits.acquire().await?;
        crate::metrics::argon2_queue_wait(waiting.elapsed());
        Ok(tokio::task::spawn_blocking(work).await?)
    }
}

/// A hash of a random password with the same parameters as real ones, made once.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 32] = rand::random();
        argon2()
            .hash_password(&random)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_argon2id_parameters_sec_16() {
        let hasher = PasswordHasher::new();
        let password = Password::new_password("correct horse battery".into()).unwrap();
        let phc = hasher.hash(&password).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify(&password, &phc).await.unwrap());
        let wrong = Password::for_login("correct horse battery!".into()).unwrap();
        assert!(!hasher.verify(&wrong, &phc).await.unwrap());
        assert!(!hasher.verify(&password, "not a phc string").await.unwrap());
    }

    #[test]
    fn never_prints_the_password() {
        let password = Password::for_login("geheim-wachtwoord".into()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(..)");
    }

    #[test]
    fn checks_presence_length_and_size() {
        assert_eq!(
            Password::for_login(String::new()).unwrap_err(),
            Invalid::PasswordMissing
        );
        assert_eq!(
            Password::for_login("x".repeat(257)).unwrap_err(),
            Invalid::PasswordTooLong
        );
        assert_eq!(
            Password::new_password("kort".into()).unwrap_err(),
            Invalid::PasswordTooShort
        );
        assert!(Password::for_login("kort".into()).is_ok());
    }

    #[test]
    fn the_dummy_hash_uses_the_real_parameters() {
        assert!(dummy_hash().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }
}
