//! The tables, one SeaORM entity each.
//! Columns typed as enums (stage, method, purpose, status, event kind) load only the values
//! this version knows: sessions and log entries leave unknown ones out where they are read;
//! elsewhere an unknown value (possible only after a downgrade) is a failure, not a guess.

pub mod factor_change;
pub mod mail;
pub mod passkey;
pub mod passkey_ceremony;
pub mod passkey_sign_in;
pub mod password_failure;
pub mod password_lock;
pub mod recovery_code;
pub mod remembered_device;
pub mod rollout_day;
pub mod security_event;
pub mod session;
pub mod sms_code;
pub mod sms_guard;
pub mod sms_send;
pub mod two_factor;
pub mod user;

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::{
        passkey_ceremony::Ceremony,
        session::{Assurance, SessionStage},
        sms_code::Purpose,
        sms_send::SendStatus,
        two_factor::Method,
    };

    fn stored<T: ActiveEnum<Value = String> + Iterable>() -> Vec<String> {
        T::iter().map(|value| value.to_value()).collect()
    }

    /// The typed columns store exactly the strings the rows already hold.
    #[test]
    fn the_stored_strings_stay_as_they_were() {
        assert_eq!(stored::<SessionStage>(), ["password", "complete"]);
        assert_eq!(stored::<Method>(), ["app", "sms", "passkey"]);
        assert_eq!(
            stored::<Assurance>(),
            [
                "password",
                "app",
                "sms",
                "recovery",
                "passkey",
                "passkey_alone",
                "remembered"
            ]
        );
        assert_eq!(stored::<Ceremony>(), ["register", "login"]);
        assert_eq!(stored::<Purpose>(), ["login", "enrol", "change"]);
        assert_eq!(
            stored::<SendStatus>(),
            ["pending", "sent", "failed", "refused"]
        );
    }
}
