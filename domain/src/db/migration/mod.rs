use sea_orm_migration::prelude::*;

mod m0001_accounts_and_sessions;
mod m0002_two_factor;
mod m0003_sms;
mod m0004_security_log;
mod m0005_mail;
mod m0006_factor_change;
mod m0007_password_guessing;
mod m0008_retention_indexes;
mod m0009_passkeys;
mod m0010_session_assurance;
mod m0011_passkey_sign_ins;
mod m0012_user_language;
mod m0013_rollout_days;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts_and_sessions::Migration),
            Box::new(m0002_two_factor::Migration),
            Box::new(m0003_sms::Migration),
            Box::new(m0004_security_log::Migration),
            Box::new(m0005_mail::Migration),
            Box::new(m0006_factor_change::Migration),
            Box::new(m0007_password_guessing::Migration),
            Box::new(m0008_retention_indexes::Migration),
            Box::new(m0009_passkeys::Migration),
            Box::new(m0010_session_assurance::Migration),
            Box::new(m0011_passkey_sign_ins::Migration),
            Box::new(m0012_user_language::Migration),
            Box::new(m0013_rollout_days::Migration),
        ]
    }
}
