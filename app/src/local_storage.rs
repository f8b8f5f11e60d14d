//! The keys the app keeps in the browser's localStorage (gloo-storage). Never a token, secret,
//! code, recovery code or phone number (SEC-27). A leaf module: the shell and the login page
//! both name these.

/// A logout in one tab: the others go to the login page (a `storage` event).
pub const LOGGED_OUT_KEY: &str = "tweestap.uitgelogd";
/// When the server was last used, in milliseconds since the epoch, by any tab.
pub const ACTIVITY_KEY: &str = "tweestap.activiteit";
/// "E-mailadres onthouden op dit apparaat", only when the user ticked it.
pub const EMAIL_KEY: &str = "tweestap.e-mailadres";
