pub mod recovery_code;
pub mod remembered_device;
pub mod session;
pub mod two_factor;
pub mod user;
