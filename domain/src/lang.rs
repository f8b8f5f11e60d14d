//! The languages the product speaks: Dutch, the manual's own, and English beside it. A user's
//! choice is stored with the user (`users.language`); emails and SMS messages follow it, and
//! a user who never chose reads Dutch.

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// The cookie of the language switch on the login page: the language before login.
pub const COOKIE_NAME: &str = "taal";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Lang {
    #[default]
    #[sea_orm(string_value = "nl")]
    Nl,
    #[sea_orm(string_value = "en")]
    En,
}

impl Lang {
    pub const ALL: [Self; 2] = [Self::Nl, Self::En];

    /// The language's tag, as `<html lang>`, the cookie and the database hold it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::En => "en",
        }
    }

    /// A language tag such as `en`, `en-GB` or `NL`: its primary language, if spoken here.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Self::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(primary))
    }

    /// The first language of an `Accept-Language` header that is spoken here, by its weight.
    /// Our own: two languages and a weight need a dozen lines, not another dependency.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut wanted: Vec<(f32, usize, Self)> = header
            .split(',')
            .enumerate()
            .filter_map(|(order, part)| {
                let mut pieces = part.split(';');
                let lang = Self::from_tag(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (weight > 0.0).then_some((weight, order, lang))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        wanted.first().map(|(_, _, lang)| *lang)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn tags_and_accept_language_choose_a_spoken_language() {
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("NL"), Some(Lang::Nl));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(
            Lang::from_accept_language("de-DE,de;q=0.9,en;q=0.8,nl;q=0.7"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.5, nl-BE"),
            Some(Lang::Nl)
        );
        assert_eq!(Lang::from_accept_language("en;q=0, fr"), None);
        assert_eq!(Lang::from_accept_language("en;q=abc"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }
}
