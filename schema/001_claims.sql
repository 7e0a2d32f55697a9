-- Claims, where they appeared, and the change log the index follows.
-- Migrations are append-only: never edit a released file, add the next one.

CREATE TABLE claim (
    pk             INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    text           TEXT    NOT NULL CHECK (length(trim(text)) > 0),
    title          TEXT,
    subtitle       TEXT,
    lang           TEXT,
    verdict        TEXT CHECK (verdict IN ('false', 'mostly_false', 'misleading',
                       'missing_context', 'mixed', 'unproven', 'mostly_true',
                       'true', 'satire', 'other')),
    verdict_text   TEXT,
    summary        TEXT,
    url            TEXT,
    publisher      TEXT,
    publisher_site TEXT,
    claimant       TEXT,
    claim_date     TEXT,
    review_date    TEXT,
    country        TEXT,
    tags           TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
    narrative      TEXT,                           -- narrative id (narratives land later)
    raw            TEXT,                           -- source record, verbatim JSON
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

CREATE INDEX claim_lang ON claim (lang);
CREATE INDEX claim_verdict ON claim (verdict);

CREATE TABLE appearance (
    pk         INTEGER PRIMARY KEY,
    claim_pk   INTEGER NOT NULL REFERENCES claim (pk) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    url        TEXT,   -- canonical URL
    platform   TEXT,
    text       TEXT,
    first_seen TEXT
);

CREATE INDEX appearance_claim ON appearance (claim_pk, position);
CREATE INDEX appearance_url ON appearance (url) WHERE url IS NOT NULL;

-- One row per committed change to a claim, written in the same transaction as
-- the change. The index records the last seq it applied and catches up from here.
CREATE TABLE change (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id TEXT    NOT NULL,
    op       TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
    at       TEXT    NOT NULL
);
