//! API keys and the roles they carry. A key is a random secret shown once;
//! the store keeps only its SHA-256 (the secret has 256 random bits, so a
//! fast hash is enough: there is nothing to guess from).

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// What a key may do. Each role includes the ones before it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads, also when the server is private.
    Reader,
    /// Reads and writes claims, imports.
    Editor,
    /// Everything, key management included.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        match name {
            "reader" => Some(Role::Reader),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored key, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    /// Public handle: names the key in lists and in `keys revoke`.
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// Prefix of every secret: makes a leaked key easy to recognise and grep for.
pub const SECRET_PREFIX: &str = "dbk_";

/// A new secret and the public handle that goes with it.
pub fn new_secret() -> Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Invalid(format!("no randomness for a new key: {e}")))?;
    let secret = format!("{SECRET_PREFIX}{}", hex(&bytes));
    let mut id_bytes = [0u8; 6];
    getrandom::fill(&mut id_bytes)
        .map_err(|e| Error::Invalid(format!("no randomness for a new key: {e}")))?;
    Ok((hex(&id_bytes), secret))
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_prefixed_and_hash_to_hex() {
        let (id_a, a) = new_secret().unwrap();
        let (id_b, b) = new_secret().unwrap();
        assert_ne!(a, b);
        assert_ne!(id_a, id_b);
        assert!(a.starts_with(SECRET_PREFIX) && a.len() == SECRET_PREFIX.len() + 64);
        let h = hash_secret(&a);
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(h, hash_secret(&b));
        assert_eq!(h, hash_secret(&a));
    }

    #[test]
    fn roles_are_ordered_and_named() {
        assert!(Role::Reader < Role::Editor && Role::Editor < Role::Admin);
        for r in [Role::Reader, Role::Editor, Role::Admin] {
            assert_eq!(Role::from_name(r.as_str()), Some(r));
        }
        assert_eq!(Role::from_name("root"), None);
    }
}
