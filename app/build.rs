//! Generates the `i18n` module from the texts in `locales/{nl,en}/<namespace>.json`: a
//! `Locale` enum and one typed accessor per key, so that a wrong key is a compile error.
//! Dutch is the default: a key is declared by `nl`, and `en` must have every one of them
//! (the test `every_text_in_both_languages` in src/lang.rs fails otherwise).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::{error::Error, path::PathBuf};

/// The namespaces, one file per chapter of the app.
pub const NAMESPACES: [&str; 7] = [
    "common", "login", "enrol", "settings", "helpdesk", "errors", "sections",
];

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?).join("i18n");
    let cfg = Config::new("nl")?
        .add_locale("en")?
        .add_namespaces(NAMESPACES)?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg)?;
    infos.rerun_if_locales_changed();
    infos.emit_diagnostics();
    infos.generate_i18n_module(out)?;
    Ok(())
}
