-- Claim vectors for semantic matching. Derived from the claims like the
-- index: the embedding model that made them names them, and each model's
-- progress through the change log is kept, so vectors computed before a
-- crash are kept and the rest are computed on the next start.

CREATE TABLE claim_vector (
    model    TEXT NOT NULL,                  -- Embedder::name
    claim_id TEXT NOT NULL,
    vector   BLOB NOT NULL,                  -- little-endian f32, unit length
    PRIMARY KEY (model, claim_id)
) WITHOUT ROWID;

CREATE TABLE vector_progress (
    model TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL                   -- last change row applied
);
