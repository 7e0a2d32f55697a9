use std::io::IsTerminal;

use clap::Parser;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DEBUNK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match debunk::cli::run(debunk::cli::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let full = e
                .chain()
                .filter_map(|c| c.downcast_ref::<debunk::Error>())
                .any(debunk::Error::is_storage_full);
            if full {
                eprintln!(
                    "error: the disk holding the data folder is full ({e:#}); the write did not complete, and what was stored before it is intact"
                );
            } else {
                eprintln!("error: {e:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
