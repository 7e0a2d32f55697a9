//! `debunk posts`, `links`, `narratives` and `audit`: the moderation
//! workflow from the command line, recorded as the `cli` actor.

use std::fs::File;
use std::io::{self, BufReader, Write};

use anyhow::{Context, Result};

use super::{Links, Narratives, Posts};
use crate::kb::KnowledgeBase;

/// Who the CLI's changes are recorded as.
const CLI_ACTOR: &str = "cli";

/// Prints one JSON line per item.
pub(super) fn print_lines<T: serde::Serialize>(items: &[T]) -> Result<()> {
    let mut out = io::stdout().lock();
    for item in items {
        writeln!(out, "{}", serde_json::to_string(item)?)?;
    }
    Ok(())
}

pub(super) fn posts(kb: &KnowledgeBase, what: Posts) -> Result<()> {
    let file = match what {
        Posts::Show { id } => return print_lines(&[kb.get_post(id)?]),
        Posts::Import { file } => file,
    };
    let report = if file.as_os_str() == "-" {
        kb.import_posts(io::stdin().lock(), CLI_ACTOR)?
    } else {
        let f = File::open(&file).with_context(|| format!("opening {}", file.display()))?;
        kb.import_posts(BufReader::new(f), CLI_ACTOR)?
    };
    for e in &report.errors {
        eprintln!("{}:{}: {}", file.display(), e.line, e.reason);
    }
    print_lines(&[&report])
}

pub(super) fn links(kb: &KnowledgeBase, what: Links) -> Result<()> {
    let decide = |id, status, note| {
        let decision = crate::store::Decision {
            status,
            actor: CLI_ACTOR.into(),
            note,
            if_version: None,
        };
        print_lines(&[kb.decide_link(id, decision)?])
    };
    match what {
        Links::List {
            status,
            claim,
            post,
        } => print_lines(&kb.list_links(&crate::store::LinkFilter {
            status,
            claim,
            post,
        })?),
        Links::Confirm { id, note } => decide(id, crate::store::LinkStatus::Confirmed, note),
        Links::Reject { id, note } => decide(id, crate::store::LinkStatus::Rejected, note),
        Links::RejectAll { post, note } => print_lines(&kb.reject_all(post, CLI_ACTOR, note)?),
    }
}

pub(super) fn narratives(kb: &KnowledgeBase, what: Narratives) -> Result<()> {
    match what {
        Narratives::List => print_lines(&kb.list_narratives()?),
        Narratives::Create {
            title,
            claims,
            details,
        } => {
            let input = crate::kb::NarrativeInput {
                title,
                description: details.description,
                event_date: details.event_date,
                event_end: details.event_end,
                place: details.place,
                status: None,
                claims,
            };
            print_lines(&[kb.create_narrative(input, CLI_ACTOR)?])
        }
        Narratives::Show { id } => print_lines(&[kb.narrative(&id)?]),
        Narratives::Update {
            id,
            title,
            details,
            status,
            claims,
            no_claims,
        } => {
            // The options given, as a JSON merge patch: the API's PATCH.
            let mut patch = serde_json::Map::new();
            let fields = [
                ("title", title),
                ("description", details.description),
                ("event_date", details.event_date),
                ("event_end", details.event_end),
                ("place", details.place),
                ("status", status),
            ];
            for (name, value) in fields {
                if let Some(v) = value {
                    patch.insert(name.into(), v.into());
                }
            }
            if no_claims || !claims.is_empty() {
                patch.insert("claims".into(), claims.into());
            }
            if patch.is_empty() {
                anyhow::bail!("nothing to change: give at least one option");
            }
            let patch = serde_json::Value::Object(patch);
            print_lines(&[kb.patch_narrative(&id, &patch, CLI_ACTOR)?])
        }
        Narratives::Delete { id } => {
            kb.delete_narrative(&id, CLI_ACTOR)?;
            Ok(())
        }
    }
}

/// Shows the thresholds, or changes those given (the others stay).
pub(super) fn settings(
    kb: &KnowledgeBase,
    suggest_at: Option<f64>,
    confirm_at: Option<super::args::Threshold>,
) -> Result<()> {
    let mut settings = kb.settings()?;
    if suggest_at.is_some() || confirm_at.is_some() {
        if let Some(s) = suggest_at {
            settings.suggest_at = s;
        }
        if let Some(c) = confirm_at {
            settings.confirm_at = c.0;
        }
        settings = kb.put_settings(settings, CLI_ACTOR)?;
    }
    print_lines(&[settings])
}
