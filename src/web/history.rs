//! A record's history as a person reads it: from the audit trail, who
//! changed it, when, and each field's value before and after. Shown on the
//! claim page, the narrative page and under each link of the review queue.

use serde_json::Value;

use crate::error::Result;
use crate::kb::KnowledgeBase;
use crate::store::AuditEntry;

/// Values longer than this many characters are cut: a history row is read
/// at a glance, the API has the whole record.
const MAX_VALUE_CHARS: usize = 160;

/// Fields every write changes that say nothing to a reader.
const NOISE: [&str; 4] = ["version", "updated_at", "created_at", "raw"];

/// One field that changed.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub field: String,
    /// `None`: the field was not set.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One change of the record.
#[derive(Clone, Debug)]
pub struct HistoryRow {
    /// `claim`, `link` or `narrative`: what the values' names mean.
    pub entity: String,
    pub action: String,
    pub actor: String,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub at: String,
    pub at_iso: String,
    pub changes: Vec<FieldChange>,
}

/// The history of one record, newest change first.
pub fn history(kb: &KnowledgeBase, entity: &str, id: &str) -> Result<Vec<HistoryRow>> {
    let mut rows: Vec<HistoryRow> = kb
        .audit_log(Some(entity), Some(id))?
        .iter()
        .map(|e| row(entity, e))
        .collect();
    rows.reverse();
    Ok(rows)
}

fn row(entity: &str, e: &AuditEntry) -> HistoryRow {
    HistoryRow {
        entity: entity.to_string(),
        action: e.action.clone(),
        actor: e.actor.clone(),
        at: e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
        at_iso: e.at.clone(),
        changes: diff(e.before.as_ref(), e.after.as_ref()),
    }
}

/// The fields whose values differ between two versions of a record, by
/// field name.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let as_map = |v: Option<&Value>| v.and_then(Value::as_object).unwrap_or(&empty).clone();
    let (old, new) = (as_map(before), as_map(after));
    let mut fields: Vec<&String> = new.keys().chain(old.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !NOISE.contains(&f.as_str()))
        .filter_map(|f| {
            let (b, a) = (shown(old.get(f)), shown(new.get(f)));
            (b != a).then(|| FieldChange {
                field: f.clone(),
                before: b,
                after: a,
            })
        })
        .collect()
}

/// A JSON value as short text; null and empty values are "not set".
fn shown(v: Option<&Value>) -> Option<String> {
    let text = match v? {
        Value::Null => return None,
        Value::String(s) if s.is_empty() => return None,
        Value::Array(a) if a.is_empty() => return None,
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(item).collect::<Vec<_>>().join("; "),
        other => item(other),
    };
    let mut cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    Some(cut)
}

/// One value as a person reads it: a string as it is, a record (an
/// appearance) by its text and URL, anything else as JSON.
fn item(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => {
            let parts: Vec<&str> = ["text", "url", "platform"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_str))
                .collect();
            if parts.is_empty() {
                v.to_string()
            } else {
                parts.join(" · ")
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_diff_lists_only_the_fields_that_changed_and_skips_bookkeeping() {
        let before = json!({"status": "suggested", "note": null, "version": 1, "score": 0.9});
        let after =
            json!({"status": "confirmed", "note": "same video", "version": 2, "score": 0.9});
        let changes = diff(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "note".into(),
                    before: None,
                    after: Some("same video".into()),
                },
                FieldChange {
                    field: "status".into(),
                    before: Some("suggested".into()),
                    after: Some("confirmed".into()),
                },
            ]
        );
    }

    #[test]
    fn a_created_record_shows_its_set_fields_and_long_values_are_cut() {
        let long = "x".repeat(500);
        let after = json!({"title": long, "tags": ["a", "b"], "description": ""});
        let appearance = json!({"appearances": [{"text": "7 مليون", "url": "https://x.com/a", "first_seen": "2024"}]});
        assert_eq!(
            diff(None, Some(&appearance))[0].after.as_deref(),
            Some("7 مليون · https://x.com/a")
        );
        let changes = diff(None, Some(&after));
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].after.as_deref(), Some("a; b"));
        let title = changes[1].after.as_deref().unwrap();
        assert_eq!(title.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(title.ends_with('…'));
    }
}

#[cfg(test)]
mod value_tests {
    use crate::web::i18n::Locale;
    use crate::web::Chrome;

    #[test]
    fn history_values_with_a_name_are_shown_in_the_readers_language() {
        let ar = Chrome::for_locale(Locale::Ar);
        assert_eq!(ar.history_value("claim", "verdict", "false"), "زائف");
        assert_eq!(
            ar.history_value("link", "status", "confirmed"),
            ar.tr("link-status-confirmed")
        );
        let fr = Chrome::for_locale(Locale::Fr);
        assert_eq!(
            fr.history_value("narrative", "status", "closed"),
            fr.tr("narrative-status-closed")
        );
        assert_ne!(fr.history_value("narrative", "status", "closed"), "closed");
        // A value without a name, or a field that holds free text, as stored.
        assert_eq!(fr.history_value("claim", "title", "false"), "false");
        assert_eq!(fr.history_value("claim", "verdict", "bogus"), "bogus");
    }
}
