//! Passwords: a type that never prints, and argon2id hashing (SEC-16) off the async runtime, on
//! a fixed number of workers with a bounded queue (SEC-29).

use std::sync::{
    Arc, Mutex, OnceLock,
    mpsc::{Receiver, SyncSender, TrySendError, sync_channel},
};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};
use tokio::sync::oneshot;

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
fn params() -> Params {
    Params::new(19_456, 2, 1, None).unwrap_or_default()
}

/// The largest memory a stored hash may ask for (64 MiB): a hash with more never matches, so
/// that no stored string can make a worker hold more.
const MAX_MEMORY_BLOCKS: u32 = 64 * 1024;

/// How many hashes run at once and how many may wait (SEC-29).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLimits {
    /// Worker threads, each with its own argon2 memory.
    pub workers: usize,
    /// Hashes that may wait for a worker; one more is refused with `HashError::Busy`. With 0 a
    /// hash is taken only by a worker that is free at that moment.
    pub queue: usize,
}

impl HashingLimits {
    /// Waiting hashes, by default: a burst of a hundred logins at once still waits its turn.
    pub const DEFAULT_QUEUE: usize = 128;

    /// As many workers as this process may use cores.
    pub fn default_workers() -> usize {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    }
}

impl Default for HashingLimits {
    fn default() -> Self {
        Self {
            workers: Self::default_workers(),
            queue: Self::DEFAULT_QUEUE,
        }
    }
}

/// A job for a worker: it gets the worker's memory and answers through its own channel.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// Argon2id hashing on a fixed number of threads, each reusing one memory buffer (SEC-29).
///
/// Every hash needs 19 MiB. Allocated per hash, freed blocks stayed with whichever thread had
/// used them, and a burst of logins left hundreds of megabytes behind. Here a worker allocates
/// its buffer at its first hash and keeps it: the memory is bounded by the number of workers
/// (workers × 19 MiB), whatever the load. Requests wait in a bounded queue; past it they are
/// refused at once (`HashError::Busy`), so a flood costs no memory either.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: SyncSender<Job>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new(HashingLimits::default())
    }
}

impl PasswordHasher {
    /// Starts the workers; they end when the last clone of this hasher is dropped.
    pub fn new(limits: HashingLimits) -> Self {
        let (jobs, queue) = sync_channel::<Job>(limits.queue);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..limits.workers.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue));
            if let Err(err) = spawned {
                tracing::error!(error = %err, "could not start a password hashing worker");
            }
        }
        Self { jobs }
    }

    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let input = password.0.clone();
        self.run(move |memory| hash_with(memory, input.as_bytes()))
            .await?
    }

    /// True when the password matches the PHC string. A malformed stored hash never matches.
    pub async fn verify(&self, password: &Password, phc: &str) -> Result<bool, HashError> {
        let input = password.0.clone();
        let phc = phc.to_owned();
        self.run(move |memory| verify_with(memory, input.as_bytes(), &phc))
            .await
    }

    /// Spends the same work as a real verification, for accounts that do not exist (SEC-15).
    pub async fn verify_dummy(&self, password: &Password) -> Result<(), HashError> {
        let input = password.0.clone();
        self.run(move |memory| {
            let phc = dummy_hash(memory);
            verify_with(memory, input.as_bytes(), phc);
        })
        .await
    }

    /// Keeps one worker busy until the guard is dropped: for tests of a full queue.
    #[cfg(any(test, feature = "testing"))]
    pub async fn occupy_worker(&self) -> OccupiedWorker {
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = oneshot::channel();
        let job: Job = Box::new(move |_| {
            let _ = started.send(());
            let _ = released.recv();
        });
        let jobs = self.jobs.clone();
        tokio::task::spawn_blocking(move || jobs.send(job))
            .await
            .expect("the hand-over")
            .expect("a worker");
        has_started.await.expect("the worker started the job");
        OccupiedWorker(release)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        // The wait alone, on the machine's clock: a measurement, not the domain's time.
        let waiting = std::time::Instant::now();
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // A request that went away (the browser closed) is not worth 19 MiB of work.
            if answer.is_closed() {
                return;
            }
            crate::metrics::argon2_queue_wait(waiting.elapsed());
            let _ = answer.send(work(memory));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                crate::metrics::argon2_refused();
                return Err(HashError::Busy);
            }
            Err(TrySendError::Disconnected(_)) => return Err(HashError::Stopped),
        }
        answered.await.map_err(|_| HashError::Stopped)
    }
}

/// A worker kept busy by `PasswordHasher::occupy_worker` until this is dropped.
#[cfg(any(test, feature = "testing"))]
pub struct OccupiedWorker(#[allow(dead_code)] std::sync::mpsc::Sender<()>);

/// A worker: takes jobs until every hasher is gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory = Memory::default();
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A panic in one hash must not take the worker, and its memory, with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
    }
}

/// One worker's argon2 memory: allocated at its first hash, grown only for a stored hash that
/// asks for more (up to `MAX_MEMORY_BLOCKS`), and kept.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, params: &Params) -> &mut [Block] {
        let needed = params.block_count();
        if self.0.len() < needed {
            self.0 = vec![Block::default(); needed];
        }
        &mut self.0[..needed]
    }
}

fn hash_with(memory: &mut Memory, password: &[u8]) -> Result<String, HashError> {
    let params = params();
    let salt: [u8; 16] = rand::random();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, memory.blocks(&params))
        .map_err(|e| HashError::Hash(e.to_string()))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| HashError::Hash(e.to_string()))?,
        salt: Some(Salt::new(&salt).map_err(|e| HashError::Hash(e.to_string()))?),
        hash: Some(Output::new(&out).map_err(|e| HashError::Hash(e.to_string()))?),
    };
    Ok(phc.to_string())
}

/// What argon2's own `verify_password` does, in the worker's memory: the stored string's
/// algorithm, version, parameters and salt, and a constant-time comparison of the output.
fn verify_with(memory: &mut Memory, password: &[u8], phc: &str) -> bool {
    let Ok(stored) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(stored.algorithm.as_str()) else {
        return false;
    };
    let version = match stored.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&stored) else {
        return false;
    };
    if params.m_cost() > MAX_MEMORY_BLOCKS {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password,
        salt,
        &mut out,
        memory.blocks(&params),
    );
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// A hash of a random password with the same parameters as real ones, made once, by the first
/// worker that needs it.
fn dummy_hash(memory: &mut Memory) -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 32] = rand::random();
        hash_with(memory, &random).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_argon2id_parameters_sec_16() {
        let hasher = PasswordHasher::default();
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
        assert!(dummy_hash(&mut Memory::default()).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    // The workers' own hashing and argon2's agree both ways: stored hashes keep working.
    #[tokio::test]
    async fn hashes_and_verifies_as_argon2_itself_does() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = PasswordHasher::default();
        let password = Password::for_login("een wachtwoord van vroeger".into()).unwrap();
        let by_argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(password.0.as_bytes())
            .unwrap()
            .to_string();
        assert!(hasher.verify(&password, &by_argon2).await.unwrap());
        let ours = hasher.hash(&password).await.unwrap();
        assert_ne!(ours, by_argon2, "a fresh salt");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(password.0.as_bytes(), &parsed)
                .is_ok()
        );
        // Other parameters, as an older hash may have, are read from the string.
        let smaller = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        )
        .hash_password(password.0.as_bytes())
        .unwrap()
        .to_string();
        assert!(hasher.verify(&password, &smaller).await.unwrap());
        let wrong = Password::for_login("een ander wachtwoord".into()).unwrap();
        assert!(!hasher.verify(&wrong, &smaller).await.unwrap());
        // A stored string that asks for more memory than a worker may hold never matches.
        let greedy = smaller.replace("m=8192", "m=1048576");
        assert!(!hasher.verify(&password, &greedy).await.unwrap());
    }

    // SEC-29: a fixed number of workers and a bounded queue; past it a hash is refused at once.
    #[tokio::test]
    async fn past_the_queue_a_hash_is_refused_sec_29() {
        let hasher = PasswordHasher::new(HashingLimits {
            workers: 1,
            queue: 1,
        });
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = oneshot::channel();
        // The one worker is busy until released.
        let busy = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(move |_| {
                        let _ = started.send(());
                        released.recv().ok();
                    })
                    .await
            }
        });
        has_started.await.unwrap();
        // One waits in the queue: polled once, it has been handed over.
        let password = Password::for_login("wachtwoord-in-de-rij".into()).unwrap();
        let queued = hasher.hash(&password);
        tokio::pin!(queued);
        assert!(
            tokio::time::timeout(std::time::Duration::ZERO, &mut queued)
                .await
                .is_err()
        );
        // ...and the next is refused, without waiting.
        let refused = hasher
            .verify(&Password::for_login("nog een".into()).unwrap(), "$x")
            .await;
        assert!(matches!(refused, Err(HashError::Busy)), "{refused:?}");

        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        assert!(queued.await.unwrap().starts_with("$argon2id$"));
        // With the queue empty again, hashing goes on.
        let again = Password::for_login("weer ruimte".into()).unwrap();
        assert!(hasher.hash(&again).await.is_ok());
    }
}
