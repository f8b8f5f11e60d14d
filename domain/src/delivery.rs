//! Why an SMS or an email did not go out, as the SMS provider and the mail transport both
//! report it: in a few words for the send log, the mail queue and the server log, never the
//! message itself.

/// Why a message did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// The provider or the mail server refused it (a 4xx answer, an address that cannot be
    /// written): trying the same again will not help.
    Rejected(String),
    /// The provider or the server failed, refused for now, or could not be reached in time
    /// (5xx, network, timeout).
    Unavailable(String),
}

impl SendFailure {
    pub fn detail(&self) -> &str {
        match self {
            Self::Rejected(detail) | Self::Unavailable(detail) => detail,
        }
    }

    /// Whether trying again is pointless.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Rejected(_))
    }
}
