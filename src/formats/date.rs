//! Dates as fact-checkers write them, read into ISO 8601.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

/// Reads a date into ISO 8601: `YYYY-MM-DD`, or full RFC 3339 when the
/// source gives a time with an offset. Understands RFC 3339, ISO dates,
/// `YYYY/MM/DD`, and month-name dates in English, French and Spanish
/// anywhere in a phrase (`26 May 2015`, `October 22, 2019`,
/// `stated on October 22, 2019 in a campaign mailer.`, `3 de mayo de 2021`).
/// Anything else comes back unchanged, so nothing a source said is lost.
/// Normalizing twice gives the same string (exports round-trip).
pub fn normalize_date(s: &str) -> String {
    let t = s.trim();
    if let Ok(dt) = OffsetDateTime::parse(t, &Rfc3339) {
        if let Ok(out) = dt.format(&Rfc3339) {
            return out;
        }
    }
    if let Some(d) = numeric_date(t) {
        return iso(d);
    }
    // Day-first numeric dates (`22/10/2019`) are left alone: read as
    // month-first they would be wrong silently.
    if let Some(d) = worded_date(t) {
        return iso(d);
    }
    s.to_owned()
}

/// A calendar day written `YYYY-MM-DD`, the whole string: the form every
/// date parameter and stored day of ours takes.
pub fn parse_day(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// The calendar day a stored date or a caller's timestamp starts with
/// (`YYYY-MM-DD`, or RFC 3339 read as the day it was written on).
pub fn day_of_stamp(s: &str) -> Option<Date> {
    parse_day(s.trim().get(..10)?)
}

/// A publication time a caller gives (a post's `posted_at`): `YYYY-MM-DD`
/// or RFC 3339, the whole string, read as the day it was written on.
pub fn read_stamp(s: &str) -> Result<Date, String> {
    let t = s.trim();
    parse_day(t)
        .or_else(|| OffsetDateTime::parse(t, &Rfc3339).ok().map(|dt| dt.date()))
        .ok_or_else(|| format!("{s:?} is not YYYY-MM-DD or RFC 3339"))
}

/// The date a text ends with (`Month D, YYYY` or `D Month YYYY`, in
/// English, French or Spanish): the signature line a post copied from a
/// page that embedded it carries (`— Name (@handle) November 5, 2015`).
pub fn trailing_date(text: &str) -> Option<Date> {
    let tail: String = {
        let t = text.trim_end();
        let start = t.char_indices().rev().nth(40).map_or(0, |(i, _)| i);
        t[start..].to_lowercase()
    };
    let tokens: Vec<&str> = tail
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "de" | "of" | "the"))
        .collect();
    let [.., a, b, y] = tokens.as_slice() else {
        return None;
    };
    // The year must be the text's last characters (a full stop aside).
    if !text.trim_end().trim_end_matches('.').ends_with(*y) {
        return None;
    }
    let year = year_of(y)?;
    if let (Some(m), Some(d)) = (month_of(a), day_of(b)) {
        return calendar(year, m, d);
    }
    let (d, m) = (day_of(a)?, month_of(b)?);
    calendar(year, m, d)
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`, the whole string.
fn numeric_date(t: &str) -> Option<Date> {
    let parts: Vec<&str> = t.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    calendar(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn calendar(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The first `Month D, YYYY` or `D Month YYYY` (with optional `de`/`of`)
/// in the text.
fn worded_date(t: &str) -> Option<Date> {
    let lower = t.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "de" | "of" | "the"))
        .collect();
    tokens.windows(3).find_map(|w| {
        let year = year_of(w[2])?;
        if let (Some(m), Some(d)) = (month_of(w[0]), day_of(w[1])) {
            return calendar(year, m, d);
        }
        if let (Some(d), Some(m)) = (day_of(w[0]), month_of(w[1])) {
            return calendar(year, m, d);
        }
        None
    })
}

fn year_of(w: &str) -> Option<i32> {
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        w.parse().ok()
    } else {
        None
    }
}

fn day_of(w: &str) -> Option<u8> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    let suffix_ok = matches!(suffix, "" | "st" | "nd" | "rd" | "th" | "er");
    if suffix_ok && (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok().filter(|d| (1..=31).contains(d))
    } else {
        None
    }
}

fn month_of(w: &str) -> Option<u8> {
    const MONTHS: [&[&str]; 12] = [
        &["january", "jan", "janvier", "janv", "enero", "ene"],
        &[
            "february", "feb", "février", "fevrier", "févr", "fevr", "febrero",
        ],
        &["march", "mar", "mars", "marzo"],
        &["april", "apr", "avril", "avr", "abril", "abr"],
        &["may", "mai", "mayo"],
        &["june", "jun", "juin", "junio"],
        &["july", "jul", "juillet", "juil", "julio"],
        &["august", "aug", "août", "aout", "agosto", "ago"],
        &[
            "september",
            "sep",
            "sept",
            "septembre",
            "septiembre",
            "setiembre",
        ],
        &["october", "oct", "octobre", "octubre"],
        &["november", "nov", "novembre", "noviembre"],
        &[
            "december",
            "dec",
            "décembre",
            "decembre",
            "déc",
            "diciembre",
            "dic",
        ],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&w))
        .and_then(|i| u8::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_seen_in_the_data_become_iso() {
        let cases = [
            ("2024-12-26T16:27:53Z", "2024-12-26T16:27:53Z"),
            ("2024-12-26T18:27:53+02:00", "2024-12-26T18:27:53+02:00"),
            ("26 May 2015", "2015-05-26"),
            (
                "stated on October 22, 2019 in a campaign mailer.",
                "2019-10-22",
            ),
            ("2019-10-22", "2019-10-22"),
            ("October 22, 2019", "2019-10-22"),
            ("Oct. 3rd, 2020", "2020-10-03"),
            ("2019/10/22", "2019-10-22"),
            ("3 de mayo de 2021", "2021-05-03"),
            ("1er janvier 2022", "2022-01-01"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_date(input), want, "{input}");
        }
    }

    #[test]
    fn unreadable_dates_come_back_unchanged() {
        for input in [
            "sometime in 2019",
            "22/10/2019",
            "2019-13-45",
            "February 30, 2020",
            "",
        ] {
            assert_eq!(normalize_date(input), input);
        }
    }

    #[test]
    fn a_post_ending_with_its_signature_date_gives_that_day() {
        let day = |y, m, d| calendar(y, m, d);
        let cases = [
            (
                "Avril Lavigne is actually dead — jacey (@jacerain) November 5, 2015",
                day(2015, 11, 5),
            ),
            (
                "La photo est fausse — Rim (@rim) 3 mars 2021.",
                day(2021, 3, 3),
            ),
            ("seen on 3 de mayo de 2021", day(2021, 5, 3)),
            // A date inside the text is what the post is about, not when.
            ("On November 5, 2015 they stormed the fence, again", None),
            ("November 5, 2015 was the day", None),
            ("the fence in 2015", None),
            ("February 30, 2020", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(trailing_date(text), want, "{text}");
        }
    }

    #[test]
    fn a_stamp_gives_the_day_it_was_written_on() {
        assert_eq!(
            day_of_stamp("2024-12-26T23:30:00-05:00"),
            calendar(2024, 12, 26)
        );
        assert_eq!(day_of_stamp("2024-12-26"), calendar(2024, 12, 26));
        assert_eq!(day_of_stamp("26 May 2015"), None);
        assert_eq!(day_of_stamp("2024-1"), None);
    }

    #[test]
    fn a_callers_stamp_is_a_day_or_an_rfc_3339_time_and_nothing_after() {
        assert_eq!(
            read_stamp("2024-12-26T23:30:00-05:00"),
            Ok(calendar(2024, 12, 26).unwrap())
        );
        assert_eq!(
            read_stamp(" 2024-12-26 "),
            Ok(calendar(2024, 12, 26).unwrap())
        );
        for bad in ["2024-12-26 at noon", "26/12/2024", "yesterday", ""] {
            assert!(read_stamp(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        for input in ["2024-12-26T16:27:53.5+00:00", "26 May 2015", "2019/1/2"] {
            let once = normalize_date(input);
            assert_eq!(normalize_date(&once), once, "{input}");
        }
    }
}
