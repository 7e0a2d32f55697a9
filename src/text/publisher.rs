//! Fact-checkers are one entity however a source writes them: `Misbar`,
//! `misbar.com` and `مسبار` are the same publisher. The aliases below are
//! those that occur in `seed-data/` and the Arabic ClaimReview records
//! (names, sites, and the Latin or Arabic name the other script uses);
//! a publisher not listed is keyed by its normalized name alone.

use super::normalize;

/// Each fact-checker's key and the ways sources write it.
const ALIASES: &[(&str, &[&str])] = &[
    ("misbar", &["مسبار", "misbar", "misbar.com"]),
    ("fatabyyano", &["فتبينوا", "fatabyyano", "fatabyyano.net"]),
    (
        "afp-arabic",
        &[
            "في ميزان فرانس برس",
            "afp arabic",
            "afp عربي",
            "factcheckarabic.afp.com",
        ],
    ),
    (
        "akhbarmeter",
        &[
            "أخبار ميتر",
            "akhbar meter",
            "akhbarmeter",
            "akhbarmeter.org",
        ],
    ),
    (
        "maharat",
        &["maharat news", "maharat", "مهارات نيوز", "maharat-news.com"],
    ),
    (
        "yoopyup",
        &["يوب يوب", "yoopyup", "yoop yoop", "yoopyup.com"],
    ),
    ("annir", &["مبادرة أنير", "أنير", "annir", "annir.ly"]),
    (
        "falso",
        &[
            "منصة فالصو لرصد خطاب الكراهية والأخبار الزائفة",
            "فالصو",
            "falso",
            "falso.ly",
        ],
    ),
    (
        "arij",
        &[
            "إعلاميون من أجل صحافة استقصائية عربية (أريج)",
            "إعلاميون من أجل صحافة استقصائية عربية",
            "أريج",
            "arij",
            "arij.net",
        ],
    ),
    (
        "verify-sy",
        &["منصة تأكد", "تأكد", "verify-sy", "verify-sy.com"],
    ),
    ("chayyek", &["شييك", "chayyek", "chayyek.com"]),
    (
        "almushahid",
        &["المشاهد نت", "المشاهد", "almushahid", "almushahid.net"],
    ),
    ("tayqan", &["تيقن", "tayqan", "tayqan.net"]),
    (
        "france24-observers",
        &[
            "the france 24 observers",
            "france 24 observers",
            "les observateurs de france 24",
            "observers.france24.com",
        ],
    ),
    ("snopes", &["snopes", "snopes.com"]),
    ("politifact", &["politifact", "politifact.com"]),
];

/// A publisher's name or site as written, tidied for storing: surrounding
/// quotes gone, runs of spaces one space. `None` when nothing is left.
pub fn clean_name(name: &str) -> Option<String> {
    let quotes: &[char] = &['"', '\'', '“', '”', '«', '»', '„', '`'];
    let trimmed = name.trim().trim_matches(quotes).trim();
    let joined = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// The key that names one fact-checker however it is written: the alias
/// table's when the name or site is listed, else the normalized name.
pub fn key(name: &str) -> String {
    let plain = plain(name);
    ALIASES
        .iter()
        .find(|(_, names)| names.iter().any(|n| plain_eq(n, &plain)))
        .map_or(plain.clone(), |(key, _)| (*key).to_string())
}

fn plain_eq(alias: &str, plain_name: &str) -> bool {
    plain(alias) == plain_name
}

/// Lowercase, Arabic normalized, no quotes or scheme or `www.`, one space.
fn plain(name: &str) -> String {
    let cleaned = clean_name(name).unwrap_or_default();
    let mut out = String::with_capacity(cleaned.len());
    normalize::normalize_into(&cleaned, &mut out);
    let out = out
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .trim_end_matches('/');
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sites_and_scripts_of_one_fact_checker_share_a_key() {
        assert_eq!(key("Misbar"), key("مسبار"));
        assert_eq!(key("misbar.com"), "misbar");
        assert_eq!(key("akhbarmeter.org"), key("أخبار ميتر"));
        assert_eq!(key("https://www.akhbarmeter.org/"), "akhbarmeter");
        assert_eq!(
            key("\"إعلاميون من أجل صحافة استقصائية عربية (أريج)\""),
            "arij"
        );
        assert_ne!(key("مسبار"), key("فتبينوا"));
    }

    #[test]
    fn an_unlisted_publisher_is_keyed_by_its_normalized_name() {
        assert_eq!(key("  Les  Décodeurs "), "les décodeurs");
    }

    #[test]
    fn names_lose_surrounding_quotes_and_extra_spaces() {
        assert_eq!(
            clean_name("\"إعلاميون من أجل  صحافة استقصائية عربية (أريج)\"").as_deref(),
            Some("إعلاميون من أجل صحافة استقصائية عربية (أريج)")
        );
        assert_eq!(clean_name(" “ ” "), None);
    }
}
