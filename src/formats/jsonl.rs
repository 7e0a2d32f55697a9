//! JSONL: one object per line. Reads debunk's own export (the `Claim`
//! fields) and the claims files of `shared/data` (`date`, `speaker`, rating
//! words in `verdict`); a line holding a ClaimReview node or a Fact Check
//! Tools API record is read as one too.

use std::io::{self, BufRead};

use serde_json::{Map, Value};

use super::value::opt_string;
use super::{
    claimreview, clean, derive_id, factcheck_api, normalize_date, RecordError, MAX_LINE_BYTES,
};
use crate::error::Result;
use crate::model::{Appearance, Claim};
use crate::verdict::Verdict;

type Sink<'a> = &'a mut dyn FnMut(std::result::Result<Claim, RecordError>) -> Result<()>;

pub(crate) fn read(mut input: impl BufRead, sink: Sink<'_>) -> Result<()> {
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        let line = next_line(&mut input, &mut buf)?;
        line_no += 1;
        let bytes = match line {
            Line::Eof => return Ok(()),
            Line::TooLong => {
                sink(Err(RecordError {
                    line: line_no,
                    reason: format!("line longer than {MAX_LINE_BYTES} bytes"),
                }))?;
                continue;
            }
            Line::Complete => buf.strip_suffix(b"\r").unwrap_or(&buf),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        for record in parse_line(bytes) {
            sink(
                record
                    .and_then(clean::checked)
                    .map_err(|reason| RecordError {
                        line: line_no,
                        reason,
                    }),
            )?;
        }
    }
}

pub(crate) enum Line {
    Eof,
    /// The line is in the buffer, without its newline.
    Complete,
    /// Longer than `MAX_LINE_BYTES`: consumed but not kept.
    TooLong,
}

/// Reads one line into `buf`, keeping at most `MAX_LINE_BYTES` of it: a
/// longer line is consumed chunk by chunk and dropped, so a 10 MB line
/// never sits in memory.
pub(crate) fn next_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, used, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (&chunk[..i], i + 1, true),
            None => (chunk, chunk.len(), false),
        };
        if !too_long {
            if buf.len() + part.len() > MAX_LINE_BYTES {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(part);
            }
        }
        input.consume(used);
        if done {
            break;
        }
    }
    Ok(match (any, too_long) {
        (false, _) => Line::Eof,
        (true, true) => Line::TooLong,
        (true, false) => Line::Complete,
    })
}

/// One line's records (usually one; a Fact Check Tools record with several
/// reviews gives several).
fn parse_line(bytes: &[u8]) -> Vec<std::result::Result<Claim, String>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return vec![Err("invalid UTF-8".to_owned())];
    };
    let mut value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![Err(json_reason(&e))],
    };
    clean::value(&mut value);
    let Value::Object(map) = value else {
        return vec![Err("expected a JSON object".to_owned())];
    };
    let json_ld = ["claimReviewed", "@type", "@graph", "dataFeedElement"]
        .iter()
        .any(|k| map.contains_key(*k));
    if json_ld {
        claimreview::expand(Value::Object(map))
    } else if map.get("claims").is_some_and(Value::is_array) && !map.contains_key("text") {
        let mut out = Vec::new();
        if let Some(Value::Array(records)) =
            map.into_iter().find(|(k, _)| k == "claims").map(|(_, v)| v)
        {
            for record in records {
                out.extend(factcheck_api::claims_from_record(record));
            }
        }
        out
    } else {
        vec![claim_from_object(&map)]
    }
}

/// serde_json's message, with the column but without the always-1 line.
fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => format!("{} at column {}", &msg[..i], e.column()),
        None => msg,
    };
    format!("invalid JSON: {msg}")
}

/// One claims-file or debunk-export object into a claim.
pub fn claim_from_object(map: &Map<String, Value>) -> std::result::Result<Claim, String> {
    let text = match map.get("text") {
        None | Some(Value::Null) => return Err("text is missing".to_owned()),
        Some(Value::String(s)) if s.trim().is_empty() => return Err("text is empty".to_owned()),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(_) => return Err("expected a string for \"text\"".to_owned()),
    };
    let s = |key: &str| opt_string(map, key);
    let date = |key: &str| Ok::<_, String>(s(key)?.map(|d| normalize_date(&d)));

    let rating = s("verdict")?;
    let named = rating.as_deref().and_then(Verdict::from_name);
    let verdict_text = s("verdict_text")?.or_else(|| rating.clone().filter(|_| named.is_none()));
    let verdict = named.or_else(|| {
        rating
            .as_deref()
            .or(verdict_text.as_deref())
            .map(Verdict::from_rating)
    });

    let (publisher, site_in_publisher) = match map.get("publisher") {
        Some(Value::Object(p)) => (opt_string(p, "name")?, opt_string(p, "site")?),
        _ => (s("publisher")?, None),
    };
    let url = s("url")?;
    let id = match map.get("id") {
        None | Some(Value::Null) => derive_id(url.as_deref(), &text),
        Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err("expected a non-empty string for \"id\"".to_owned()),
    };
    let tags = match map.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| t.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| "expected a list of strings for \"tags\"".to_owned())?,
        Some(_) => return Err("expected a list of strings for \"tags\"".to_owned()),
    };
    let appearances = match map.get("appearances") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value::<Vec<Appearance>>(v.clone())
            .map_err(|e| format!("invalid \"appearances\": {e}"))?,
    };
    let version = match map.get("version") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| "expected an integer for \"version\"".to_owned())?,
    };
    Ok(Claim {
        id,
        title: s("title")?,
        subtitle: s("subtitle")?,
        lang: s("lang")?.map(|l| l.to_lowercase()),
        verdict,
        verdict_text,
        summary: s("summary")?,
        url,
        publisher,
        publisher_site: s("publisher_site")?.or(site_in_publisher),
        claimant: s("claimant")?.or(s("speaker")?),
        claim_date: date("claim_date")?.or(date("date")?),
        review_date: date("review_date")?,
        country: s("country")?,
        tags,
        narrative: s("narrative")?,
        appearances,
        raw: None,
        row: None,
        version,
        created_at: s("created_at")?,
        updated_at: s("updated_at")?,
        text,
    })
}
