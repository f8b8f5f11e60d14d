//! What every service is handed: the database, the clock, the settings, the password hasher and
//! the mail worker's wake-up. Built once at startup.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::{
    accounts::password::PasswordHasher, clock::Clock, mail::kick::Kick, settings::Settings,
};

#[derive(Clone)]
pub struct Context {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    /// Wakes the mail worker when a mail was queued.
    pub mail_kick: Kick,
}

impl Context {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        let hasher = PasswordHasher::new(settings.hashing);
        Self {
            db,
            clock,
            settings: Arc::new(settings),
            hasher,
            mail_kick: Kick::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
