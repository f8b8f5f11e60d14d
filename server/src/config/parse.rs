//! What the groups' parsing shares: blank variables as unset, trimmed values, host names, and
//! the problems of the checks between variables. A leaf: every group reads it, it reads none.

/// The problems of the checks that do not hold.
pub(super) fn unmet<const N: usize>(checks: [(bool, &'static str); N]) -> Vec<&'static str> {
    checks
        .into_iter()
        .filter(|(holds, _)| !holds)
        .map(|(_, problem)| problem)
        .collect()
}

/// Blank variables count as unset (a `KEY=` line in a unit or compose file), as clap would
/// otherwise parse the empty text; clap has no setting for this.
pub fn blank_env_is_unset(command: clap::Command) -> clap::Command {
    command.mut_args(|arg| {
        let blank = arg
            .get_env()
            .and_then(std::env::var_os)
            .is_some_and(|value| value.to_string_lossy().trim().is_empty());
        if blank { arg.env(None) } else { arg }
    })
}

/// Surrounding white space in a variable is ignored, as it always was: `"30 "` is 30. (clap's
/// own parsers take the value as it is.)
#[derive(Clone)]
pub(super) struct Trimmed<P>(pub(super) P);

impl<P: clap::builder::TypedValueParser> clap::builder::TypedValueParser for Trimmed<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        match value.to_str() {
            Some(text) => self
                .0
                .parse_ref(cmd, arg, std::ffi::OsStr::new(text.trim())),
            None => self.0.parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

/// A DNS name as written in a variable: letters, digits, dots and hyphens (the SMS's public
/// host and the SMTP server).
pub(super) fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}
