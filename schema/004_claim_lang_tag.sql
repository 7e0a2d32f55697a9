-- The language tag a source gave a claim whose text is plainly in another
-- language: the claim is stored and indexed under its text's language
-- (`lang`), and the publisher's tag is kept here as given.
ALTER TABLE claim ADD COLUMN lang_tag TEXT;
