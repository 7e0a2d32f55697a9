//! `debunk keys`: API keys, straight in the store.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

use super::Keys;

/// Key management touches the store only: it works beside a running server.
pub(super) fn keys(data_dir: &Path, what: Keys) -> Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data folder {}", data_dir.display()))?;
    let path = crate::kb::store_path(data_dir);
    let store = crate::store::Store::open(&path)
        .with_context(|| format!("opening the store {}", path.display()))?;
    let mut out = io::stdout().lock();
    match what {
        Keys::Create { role, name, json } => {
            let (key, secret) = store.create_key(&name, role)?;
            if json {
                let mut v = serde_json::to_value(&key)?;
                v["secret"] = serde_json::Value::String(secret);
                writeln!(out, "{v}")?;
            } else {
                writeln!(out, "{secret}")?;
                eprintln!(
                    "key {} ({}, role {}): the secret above is shown only now; keep it safe",
                    key.id, key.name, key.role
                );
            }
        }
        Keys::List { json } => {
            for key in store.list_keys()? {
                if json {
                    writeln!(out, "{}", serde_json::to_string(&key)?)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}",
                        key.id,
                        key.role,
                        key.name,
                        key.created_at,
                        key.revoked_at
                            .as_deref()
                            .map_or("active".to_string(), |at| format!("revoked {at}"))
                    )?;
                }
            }
        }
        Keys::Revoke { id } => {
            if !store.revoke_key(&id)? {
                anyhow::bail!("no active key with id {id:?}");
            }
            eprintln!("key {id} revoked");
        }
    }
    Ok(())
}
