//! `debunk import`, with a progress bar on a terminal.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, Result};

use crate::formats::Format;
use crate::kb::{ImportOptions, ImportProgress, KnowledgeBase};

pub(super) fn import(
    kb: &KnowledgeBase,
    file: &Path,
    format: Format,
    strict: bool,
    json: bool,
    batch_size: usize,
) -> Result<()> {
    let (input, len): (Box<dyn Read>, Option<u64>) = if file == Path::new("-") {
        (Box::new(io::stdin().lock()), None)
    } else {
        let f = File::open(file).with_context(|| format!("opening {}", file.display()))?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(f), len)
    };
    let bar = (io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(len.unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} [{bar:30}] {msg} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let input: Box<dyn Read> = match &bar {
        Some(bar) => Box::new(bar.wrap_read(input)),
        None => input,
    };
    let options = ImportOptions {
        format,
        strict,
        batch_size,
        source: file.to_path_buf(),
        max_records: None,
    };
    let report = kb.import(BufReader::with_capacity(1 << 20, input), &options, |p| {
        let ImportProgress::Committed { records } = p;
        match &bar {
            Some(bar) => bar.set_message(format!("{records} records")),
            // Off a terminal, one line per durable batch: logs (and the crash
            // test) can tell exactly what was committed.
            None => eprintln!("committed {records} records"),
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report.with_context(|| format!("importing {}", file.display()))?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for e in &report.errors {
            eprintln!("{}:{}: {}", file.display(), e.line, e.reason);
        }
        println!(
            "imported {}, updated {}, skipped {}",
            report.imported, report.updated, report.skipped
        );
    }
    Ok(())
}
