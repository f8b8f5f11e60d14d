//! What every page shows of this installation: the platform's name and whom to ask.

use tweestap_domain::settings::Settings;

/// The platform's name and the helpdesk.
#[derive(Clone, clap::Args)]
#[command(next_help_heading = "Platform")]
pub struct Platform {
    /// The platform's name in the header and page titles
    #[arg(long, env = "TWEESTAP_PLATFORM_NAME", value_name = "TWEESTAP_PLATFORM_NAME", default_value = Settings::DEFAULT_PLATFORM_NAME, value_parser = short_text)]
    pub platform_name: String,
    /// The helpdesk contact under "Vragen?" on every page
    #[arg(long, env = "TWEESTAP_HELPDESK", value_name = "TWEESTAP_HELPDESK", default_value = Settings::DEFAULT_HELPDESK, value_parser = short_text)]
    pub helpdesk: String,
}

impl Platform {
    pub(super) fn apply(&self, settings: &mut Settings) {
        settings.platform_name = self.platform_name.clone();
        settings.helpdesk = self.helpdesk.clone();
    }
}

fn short_text(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > 500 {
        Err("must be at most 500 characters".to_owned())
    } else {
        Ok(value.to_owned())
    }
}
