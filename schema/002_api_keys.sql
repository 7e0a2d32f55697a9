-- API keys. Only a hash of each secret is kept: the secret is shown once,
-- when the key is created, and can't be recovered from the database.

CREATE TABLE api_key (
    id         TEXT PRIMARY KEY,              -- public handle, shown by `keys list`
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    hash       TEXT NOT NULL UNIQUE,          -- SHA-256 of the secret, hex
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
