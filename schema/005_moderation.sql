-- Moderation: posts seen in the wild, their links to claims and the
-- decisions on them, narratives, per-folder settings, and the audit trail.
-- Nothing here depends on this file's number: it only adds tables (and an index on claim.narrative).

CREATE TABLE post (
    pk         INTEGER PRIMARY KEY,
    text       TEXT    NOT NULL CHECK (length(trim(text)) > 0),
    url        TEXT,                          -- canonical URL
    platform   TEXT,                          -- of the first sighting
    platforms  TEXT    NOT NULL DEFAULT '[]', -- JSON array: every platform it was seen on
    author     TEXT,
    lang       TEXT,
    posted_at  TEXT,
    text_key   TEXT    NOT NULL,              -- hash of the normalized text (deduplication)
    seen       INTEGER NOT NULL DEFAULT 1,
    first_seen TEXT    NOT NULL,
    last_seen  TEXT    NOT NULL
);

CREATE UNIQUE INDEX post_url ON post (url) WHERE url IS NOT NULL;
CREATE INDEX post_text_key ON post (text_key);

-- One row per post/claim pair, ever: a rejected pair keeps its row, so it
-- is never suggested again.
CREATE TABLE link (
    pk          INTEGER PRIMARY KEY,
    post_pk     INTEGER NOT NULL REFERENCES post (pk) ON DELETE CASCADE,
    claim_id    TEXT    NOT NULL,             -- no foreign key: a deleted claim's decisions stay
    score       REAL    NOT NULL,
    band        TEXT    NOT NULL CHECK (band IN ('match', 'possible', 'none')),
    explanation TEXT    NOT NULL,             -- JSON, as the matcher gave it
    fields      TEXT    NOT NULL DEFAULT '[]',-- JSON array: text, title, appearance, url
    status      TEXT    NOT NULL CHECK (status IN ('suggested', 'confirmed', 'rejected')),
    decided_by  TEXT,
    decided_at  TEXT,
    note        TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    UNIQUE (post_pk, claim_id)
);

CREATE INDEX link_claim ON link (claim_id);
CREATE INDEX link_status ON link (status);

CREATE TABLE narrative (
    pk          INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    title       TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    event_date  TEXT,
    event_end   TEXT,
    place       TEXT,
    status      TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dormant', 'closed')),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE INDEX claim_narrative ON claim (narrative) WHERE narrative IS NOT NULL;

CREATE TABLE setting (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL   -- JSON
);

-- Who changed what, when: written in the same transaction as the change.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL CHECK (entity IN ('claim', 'link', 'narrative', 'settings')),
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    before    TEXT,   -- JSON, absent for a creation
    after     TEXT    -- JSON, absent for a deletion
);

CREATE INDEX audit_entity ON audit (entity, entity_id, seq);
