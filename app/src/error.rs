//! The one error type the browser sees. Every message is Dutch, says what the clinician can do
//! next, and never tells whether an account exists or which factor failed.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Unknown email and wrong password look exactly alike (SEC-15).
    #[error("Het e-mailadres of het wachtwoord is onjuist.")]
    InvalidCredentials,
    #[error("Je bent niet (meer) ingelogd. Log opnieuw in om verder te gaan.")]
    NotLoggedIn,
    #[error("Je hebt geen toegang tot dit onderdeel.")]
    Forbidden,
    /// A field the user can correct; the text names the field.
    #[error("{0}")]
    InvalidInput(String),
    #[error(
        "Dit verzoek kwam niet van deze website en is geweigerd. Herlaad de pagina en probeer het opnieuw."
    )]
    ForeignOrigin,
    #[error("Het verzoek is te groot. Controleer wat je hebt ingevuld en probeer het opnieuw.")]
    TooLarge,
    #[error(
        "Er ging iets mis aan onze kant. Probeer het over een paar minuten opnieuw of neem contact op met de helpdesk."
    )]
    Internal,
    #[error(
        "De server is niet bereikbaar. Controleer je internetverbinding en probeer het opnieuw."
    )]
    Network,
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidInput(message.into())
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidCredentials | Self::NotLoggedIn => 401,
            Self::Forbidden | Self::ForeignOrigin => 403,
            Self::InvalidInput(_) => 400,
            Self::TooLarge => 413,
            Self::Internal => 500,
            Self::Network => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => Self::invalid(
                "De invoer is ongeldig of onvolledig. Controleer de velden en probeer het opnieuw.",
            ),
            ServerFnErrorErr::Request(_) => Self::Network,
            _ => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_arguments_are_a_client_error_in_dutch() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Args("expected `=`".into()));
        assert_eq!(err.status(), 400);
        assert!(err.to_string().starts_with("De invoer is ongeldig"));
    }

    #[test]
    fn unknown_failures_reveal_nothing() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "relation users does not exist".into(),
        ));
        assert_eq!(err, AppError::Internal);
        assert!(!err.to_string().contains("relation"));
    }
}
