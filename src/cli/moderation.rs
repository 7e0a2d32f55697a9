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
    let Posts::Import { file } = what;
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
    }
}

pub(super) fn narratives(kb: &KnowledgeBase, what: Narratives) -> Result<()> {
    match what {
        Narratives::List => print_lines(&kb.list_narratives()?),
        Narratives::Create {
            title,
            claims,
            description,
            event_date,
            event_end,
            place,
        } => {
            let input = crate::kb::NarrativeInput {
                title,
                description,
                event_date,
                event_end,
                place,
                status: None,
                claims,
            };
            print_lines(&[kb.create_narrative(input, CLI_ACTOR)?])
        }
    }
}
