//! The index's fields and how a claim becomes a document: which text goes
//! into which language's field, what is stored, what is a filter.

use super::*;

#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) id: Field,
    pub(super) doc: Field,
    /// The claim's analysis for re-ranking (`Analysis::encode`), opaque here.
    pub(super) terms: Field,
    pub(super) words: [Field; 5],
    /// The language codes of the word fields a document has text in: how
    /// many documents a word field covers, for its average length.
    pub(super) word_fields: Field,
    pub(super) ngram: Field,
    pub(super) id_hash: Field,
    pub(super) lang: Field,
    pub(super) verdict: Field,
    pub(super) publisher: Field,
    /// `text::publisher::key` of the publisher's name and site: the filter.
    pub(super) publisher_key: Field,
    pub(super) url: Field,
    /// The id of the claim's narrative: the filter.
    pub(super) narrative: Field,
    pub(super) review_date: Field,
}

pub(super) fn lang_slot(lang: Lang) -> usize {
    match lang {
        Lang::Ar => 0,
        Lang::Fr => 1,
        Lang::Es => 2,
        Lang::En => 3,
        Lang::Other => 4,
    }
}

pub(super) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let word_options = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let id = b.add_text_field("id", STRING | STORED);
    let doc = b.add_text_field("doc", STORED);
    let terms = b.add_bytes_field("terms", STORED);
    let id_hash = b.add_u64_field("id_hash", FAST);
    let words = Lang::ALL
        .map(|l| b.add_text_field(&format!("words_{}", l.code()), word_options(l.analyzer())));
    let word_fields = b.add_text_field("word_fields", STRING);
    let ngram = b.add_text_field(
        "ngram",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(text::NGRAM_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    let lang = b.add_text_field("lang", STRING | FAST);
    let verdict = b.add_text_field("verdict", STRING | FAST);
    let publisher = b.add_text_field("publisher", STRING | FAST);
    let publisher_key = b.add_text_field("publisher_key", STRING);
    let url = b.add_text_field("url", STRING);
    let narrative = b.add_text_field("narrative", STRING);
    let review_date = b.add_date_field("review_date", INDEXED | FAST);
    let fields = Fields {
        id,
        doc,
        terms,
        words,
        word_fields,
        ngram,
        id_hash,
        lang,
        verdict,
        publisher,
        publisher_key,
        url,
        narrative,
        review_date,
    };
    (b.build(), fields)
}

#[derive(Serialize, Deserialize)]
pub(super) struct Payload {
    pub(super) schema: u32,
    pub(super) seq: i64,
}

/// A stable 64-bit hash of a claim id (FNV-1a), for deterministic tie-breaks.
pub(super) fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Matching reads a few dozen random documents per post: small doc-store
/// blocks keep each read from decompressing 16 KB for one claim.
pub(super) fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: 2048,
        ..tantivy::IndexSettings::default()
    }
}

/// The calendar day of `YYYY-MM-DD` or an RFC 3339 timestamp, as the
/// fact-checker wrote it (a review late on the 3rd in New York was
/// published on the 3rd, though it was the 4th in UTC).
pub(super) fn parse_date(s: &str) -> Option<DateTime> {
    let d = time::Date::parse(
        s.get(..10)?,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(day_start(d))
}

/// Midnight UTC of a day: how review dates are indexed.
pub(super) fn day_start(d: time::Date) -> DateTime {
    // tantivy keeps nanoseconds in an i64 (1677-09-21 to 2262-04-11): a
    // day outside (a mistyped year, a filter from year 184) is held at the
    // nearest end instead of overflowing, which panicked a debug build
    // and wrapped around in a release one.
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    let secs = d.midnight().assume_utc().unix_timestamp();
    DateTime::from_timestamp_secs(secs.clamp(-LIMIT, LIMIT))
}

impl ClaimIndex {
    pub(super) fn document(&self, c: &Claim) -> Result<TantivyDocument> {
        let f = &self.fields;
        let lang = text::Lang::from_code(c.lang.as_deref().unwrap_or(""));
        let slot = lang_slot(lang);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &c.id);
        let indexed = IndexedClaim::from_claim(c);
        doc.add_text(f.doc, serde_json::to_string(&indexed)?);
        doc.add_bytes(f.terms, &(self.analysis.encode)(&indexed));
        doc.add_u64(f.id_hash, id_hash(&c.id));
        let texts = [Some(&c.text), c.title.as_ref(), c.subtitle.as_ref()]
            .into_iter()
            .flatten()
            .chain(c.appearances.iter().filter_map(|a| a.text.as_ref()));
        for part in texts {
            doc.add_text(f.words[slot], part);
        }
        doc.add_text(f.word_fields, lang.code());
        for part in [Some(&c.text), c.title.as_ref(), c.subtitle.as_ref()]
            .into_iter()
            .flatten()
        {
            doc.add_text(f.ngram, part);
        }
        doc.add_text(f.lang, c.lang.as_deref().unwrap_or("unknown"));
        if let Some(v) = c.verdict {
            doc.add_text(f.verdict, v.as_str());
        }
        if let Some(p) = &c.publisher {
            doc.add_text(f.publisher, p);
        }
        let mut keys: Vec<String> = [&c.publisher, &c.publisher_site]
            .into_iter()
            .flatten()
            .map(|p| text::publisher::key(p))
            .collect();
        keys.dedup();
        for key in keys {
            doc.add_text(f.publisher_key, key);
        }
        for url in c
            .url
            .iter()
            .chain(c.appearances.iter().filter_map(|a| a.url.as_ref()))
        {
            if let Some(canonical) = text::canonical_url(url) {
                doc.add_text(f.url, canonical);
            }
        }
        if let Some(n) = &c.narrative {
            doc.add_text(f.narrative, n);
        }
        if let Some(date) = c.review_date.as_deref().and_then(parse_date) {
            doc.add_date(f.review_date, date);
        }
        Ok(doc)
    }
}
