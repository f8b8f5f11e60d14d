pub mod recovery_code;
pub mod remembered_device;
pub mod session;
pub mod sms_code;
pub mod sms_guard;
pub mod sms_send;
pub mod two_factor;
pub mod user;
