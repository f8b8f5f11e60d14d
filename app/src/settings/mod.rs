//! Profile -> Instellingen: the tile "Twee-staps-authenticatie" and what it leads to (recovery
//! codes, remembered browsers, switching off, another method), the password change and the
//! security log, each behind the password entered again where the manual's checklist asks.

pub mod devices;
pub mod disable;
pub mod method;
pub mod page;
pub mod passkeys;
pub mod password;
pub mod reauth;
pub mod recovery_codes;
pub mod security_log;
pub mod tile;
