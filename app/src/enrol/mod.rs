//! Setting up two-step authentication: the introduction after login and the wizard.

pub mod intro;
pub mod wizard;
