use super::*;
use crate::model::Appearance;
use crate::verdict::Verdict;

type Records = Vec<std::result::Result<Claim, RecordError>>;

fn read_all(input: &[u8], format: Format) -> Records {
    let mut out = Vec::new();
    read(input, format, |r| {
        out.push(r);
        Ok(())
    })
    .expect("reading from memory does not fail");
    out
}

fn good(records: &Records) -> Vec<Claim> {
    records
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect()
}

fn errors(records: &Records) -> Vec<RecordError> {
    records
        .iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect()
}

fn export(claims: &[Claim], format: ExportFormat) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), format).expect("writer");
    for c in claims {
        w.write(c).expect("write");
    }
    w.finish().expect("finish")
}

const FACTCHECK_API: &str = r#"{
 "claims": [
  {
   "text": "وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح كورونا",
   "claimant": "منشورات انستغرام",
   "claimDate": "2024-09-10T00:00:00Z",
   "claimReview": [
    {
     "publisher": {"name": "فتبينوا", "site": "fatabyyano.net"},
     "url": "https://fatabyyano.net/iraq-vaccine-compensation/",
     "title": "لا، لم تعلن وزارة الصحة العراقية أنها ستمنح تعويض مالي",
     "reviewDate": "2024-09-22T00:00:00Z",
     "textualRating": "زائف",
     "languageCode": "ar"
    }
   ]
  },
  {
   "text": "Une vidéo montre des migrants à Ceuta.",
   "claimReview": [
    {"publisher": {"name": "AFP Factuel", "site": "factuel.afp.com"}, "url": "https://factuel.afp.com/a",
     "textualRating": "Faux", "languageCode": "fr"},
    {"publisher": {"name": "Maldita", "site": "maldita.es"}, "url": "https://maldita.es/b",
     "textualRating": "Engañoso", "languageCode": "ES"}
   ]
  }
 ],
 "nextPageToken": "abc"
}
"#;

const CLAIMREVIEW: &str = r#"{
  "@context": "https://schema.org",
  "@graph": [
    {"@type": "WebPage", "name": "not a record"},
    {
      "@type": "ClaimReview",
      "identifier": "misbar-42",
      "url": "https://www.misbar.com/factcheck/2024/12/26/x",
      "claimReviewed": "مصر تغلق السفارة السورية في القاهرة",
      "headline": "مصر لم تُعلن إغلاق السفارة السورية",
      "datePublished": "2024-12-26T16:27:53Z",
      "inLanguage": "AR",
      "keywords": "سوريا, مصر",
      "author": {"@type": "Organization", "name": "مسبار", "url": "https://misbar.com"},
      "reviewRating": {"@type": "Rating", "alternateName": "مضلل", "ratingValue": 2},
      "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": "x.com"},
        "firstAppearance": {"@type": "CreativeWork", "url": "https://x.com/a/status/1",
                            "datePublished": "December 24, 2024"},
        "appearance": [
          {"@type": "CreativeWork", "url": "https://x.com/a/status/1"},
          "https://www.facebook.com/p/2"
        ]
      }
    }
  ]
}"#;

const JSONL: &str = concat!(
    r#"{"id": "vclaim-pol-00001", "text": "\"Murders dropped by more than 10%.\"", "title": "Trump dead wrong", "lang": "en", "verdict": "pants-fire", "url": "https://www.politifact.com/factchecks/2019/oct/29/x/", "date": "stated on October 28, 2019 in a speech", "speaker": "Donald Trump"}"#,
    "\n",
    r#"{"id": "ar-7", "text": "فيديو لاقتحام السياج في سبتة", "lang": "ar", "verdict": "false", "verdict_text": "زائف", "publisher": "مسبار", "publisher_site": "misbar.com", "tags": ["سبتة", "هجرة"], "appearances": [{"url": "https://www.tiktok.com/@a/video/1", "platform": "tiktok", "text": "شوفو شنو واقع ف سبتة", "first_seen": "2024-09-10"}], "claim_date": "2024-09-10", "review_date": "2024-09-12T08:00:00Z", "summary": "الفيديو قديم", "country": "MA", "extra": {"ignored": true}}"#,
    "\n",
);

fn all_shapes() -> Vec<Claim> {
    let mut claims = good(&read_all(FACTCHECK_API.as_bytes(), Format::Auto));
    claims.extend(good(&read_all(CLAIMREVIEW.as_bytes(), Format::Auto)));
    claims.extend(good(&read_all(JSONL.as_bytes(), Format::Auto)));
    claims
}

#[test]
fn sniffing_tells_the_formats_apart_from_their_first_bytes() {
    assert_eq!(
        sniff(b"  \n[{\"claimReviewed\": \"x\"}]"),
        Format::Claimreview
    );
    assert_eq!(sniff(FACTCHECK_API.as_bytes()), Format::FactcheckApi);
    assert_eq!(sniff(CLAIMREVIEW.as_bytes()), Format::Claimreview);
    assert_eq!(sniff(JSONL.as_bytes()), Format::Jsonl);
    assert_eq!(
        sniff(b"{\"id\": \"1\", \"text\": \"one line\"}\n"),
        Format::Jsonl
    );
    assert_eq!(
        sniff(b"{\"@type\": \"ClaimReview\", \"claimReviewed\": \"x\"}"),
        Format::Claimreview
    );
    assert_eq!(sniff(b""), Format::Jsonl);
}

#[test]
fn sniffing_reads_keys_of_a_document_cut_off_by_the_prefix() {
    // Only the first 64 KiB are looked at; the keys before the cut decide.
    let mut doc = String::from("{\n \"claims\": [\n");
    while doc.len() < 2 * SNIFF_BYTES as usize {
        doc.push_str("  {\"text\": \"a claim\", \"claimReview\": []},\n");
    }
    doc.push_str("  {\"text\": \"last\"}\n ]\n}\n");
    let records = read_all(doc.as_bytes(), Format::Auto);
    assert!(
        errors(&records).is_empty(),
        "{:?}",
        errors(&records).first()
    );
    assert_eq!(good(&records).last().map(|c| c.text.as_str()), Some("last"));
}

#[test]
fn jsonl_claims_files_map_date_speaker_and_rating_words() {
    let claims = good(&read_all(JSONL.as_bytes(), Format::Jsonl));
    let pol = &claims[0];
    assert_eq!(pol.id, "vclaim-pol-00001");
    assert_eq!(pol.verdict, Some(Verdict::False));
    assert_eq!(pol.verdict_text.as_deref(), Some("pants-fire"));
    assert_eq!(pol.claimant.as_deref(), Some("Donald Trump"));
    assert_eq!(pol.claim_date.as_deref(), Some("2019-10-28"));
    assert_eq!(pol.lang.as_deref(), Some("en"));
    let ar = &claims[1];
    assert_eq!(ar.verdict, Some(Verdict::False));
    assert_eq!(ar.verdict_text.as_deref(), Some("زائف"));
    assert_eq!(ar.tags, ["سبتة", "هجرة"]);
    assert_eq!(ar.appearances[0].platform.as_deref(), Some("tiktok"));
    assert_eq!(ar.country.as_deref(), Some("MA"));
}

#[test]
fn a_normalized_verdict_name_stays_without_rating_text() {
    let claims = good(&read_all(
        b"{\"text\": \"x\", \"verdict\": \"mostly_false\"}\n",
        Format::Jsonl,
    ));
    assert_eq!(claims[0].verdict, Some(Verdict::MostlyFalse));
    assert_eq!(claims[0].verdict_text, None);
}

#[test]
fn bad_jsonl_lines_are_reported_with_their_line_and_reading_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"text\": 5}\n");
    input.extend_from_slice(b"{\"text\": \"   \"}\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"{\"text\": \"ok\", \"title\": 3}\n");
    input.extend_from_slice(b"{\"text\": \"caf\xC3\"}\n");
    input.extend_from_slice(b"{\"text\": \"unterminated}\n");
    input.extend_from_slice(b"[1, 2]\r\n");
    input.extend_from_slice(b"{\"id\": \"good\", \"text\": \"fine\"}\r\n");
    let records = read_all(&input, Format::Jsonl);
    let errs: Vec<(u64, String)> = errors(&records)
        .into_iter()
        .map(|e| (e.line, e.reason))
        .collect();
    assert_eq!(errs[0], (1, "expected a string for \"text\"".to_owned()));
    assert_eq!(errs[1], (2, "text is empty".to_owned()));
    assert_eq!(errs[2], (4, "expected a string for \"title\"".to_owned()));
    assert_eq!(errs[3], (5, "invalid UTF-8".to_owned()));
    assert_eq!(errs[4].0, 6);
    assert!(errs[4].1.starts_with("invalid JSON: "), "{}", errs[4].1);
    assert_eq!(errs[5], (7, "expected a JSON object".to_owned()));
    assert_eq!(good(&records).len(), 1);
    assert_eq!(good(&records)[0].id, "good");
}

/// A `BufRead` that serves a huge line in small chunks and remembers how
/// much it handed out, standing in for a 10 MB file without allocating it.
struct HugeLine {
    remaining: usize,
    chunk: Vec<u8>,
    tail: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for HugeLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for HugeLine {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.remaining > 0 {
            let n = self.remaining.min(self.chunk.len());
            Ok(&self.chunk[..n])
        } else {
            self.tail.fill_buf()
        }
    }
    fn consume(&mut self, n: usize) {
        if self.remaining > 0 {
            self.remaining -= n;
        } else {
            self.tail.consume(n);
        }
    }
}

#[test]
fn a_ten_megabyte_line_is_skipped_and_the_next_line_still_read() {
    let input = HugeLine {
        remaining: 10 << 20,
        chunk: vec![b'x'; 8192],
        tail: std::io::Cursor::new(b"\n{\"text\": \"after\"}\n".to_vec()),
    };
    let mut out = Vec::new();
    read(input, Format::Jsonl, |r| {
        out.push(r);
        Ok(())
    })
    .expect("read");
    assert_eq!(
        errors(&out),
        [RecordError {
            line: 1,
            reason: "line longer than 1048576 bytes".to_owned()
        }]
    );
    assert_eq!(good(&out)[0].text, "after");
    assert_eq!(good(&out).len(), 1);
}

#[test]
fn next_line_keeps_no_more_than_the_cap_of_an_overlong_line() {
    let mut input = std::io::BufReader::with_capacity(
        4096,
        std::io::Cursor::new([vec![b'y'; 3 * MAX_LINE_BYTES], b"\nok\n".to_vec()].concat()),
    );
    let mut buf = Vec::new();
    assert!(matches!(
        jsonl::next_line(&mut input, &mut buf),
        Ok(jsonl::Line::TooLong)
    ));
    assert!(
        buf.capacity() <= MAX_LINE_BYTES + 4096,
        "{}",
        buf.capacity()
    );
    assert!(matches!(
        jsonl::next_line(&mut input, &mut buf),
        Ok(jsonl::Line::Complete)
    ));
    assert_eq!(buf, b"ok");
}

#[test]
fn an_error_from_the_sink_stops_reading_and_comes_back() {
    let mut seen = 0;
    let result = read(JSONL.as_bytes(), Format::Auto, |_| {
        seen += 1;
        Err(crate::Error::Invalid("stop".into()))
    });
    assert!(matches!(result, Err(crate::Error::Invalid(_))));
    assert_eq!(seen, 1);
    let mut seen = 0;
    let result = read(FACTCHECK_API.as_bytes(), Format::Auto, |_| {
        seen += 1;
        Err(crate::Error::Invalid("stop".into()))
    });
    assert!(matches!(result, Err(crate::Error::Invalid(_))));
    assert_eq!(seen, 1);
}

#[test]
fn claimreview_graph_maps_every_field_and_keeps_the_raw_node() {
    let records = read_all(CLAIMREVIEW.as_bytes(), Format::Claimreview);
    assert!(errors(&records).is_empty(), "{:?}", errors(&records));
    let c = &good(&records)[0];
    assert_eq!(good(&records).len(), 1, "the WebPage node is not a record");
    assert_eq!(c.id, "misbar-42");
    assert_eq!(c.text, "مصر تغلق السفارة السورية في القاهرة");
    assert_eq!(c.title.as_deref(), Some("مصر لم تُعلن إغلاق السفارة السورية"));
    assert_eq!(c.review_date.as_deref(), Some("2024-12-26T16:27:53Z"));
    assert_eq!(c.lang.as_deref(), Some("ar"));
    assert_eq!(c.publisher.as_deref(), Some("مسبار"));
    assert_eq!(c.publisher_site.as_deref(), Some("misbar.com"));
    assert_eq!(c.verdict_text.as_deref(), Some("مضلل"));
    assert_eq!(c.verdict, Some(Verdict::Misleading));
    assert_eq!(c.claimant.as_deref(), Some("x.com"));
    assert_eq!(c.claim_date.as_deref(), Some("2024-12-24"));
    assert_eq!(c.tags, ["سوريا", "مصر"]);
    let urls: Vec<_> = c
        .appearances
        .iter()
        .filter_map(|a| a.url.as_deref())
        .collect();
    assert_eq!(
        urls,
        ["https://x.com/a/status/1", "https://www.facebook.com/p/2"]
    );
    assert_eq!(c.appearances[0].first_seen.as_deref(), Some("2024-12-24"));
    let raw = c.raw.as_ref().expect("raw kept");
    assert_eq!(raw["identifier"], "misbar-42");
}

#[test]
fn a_rating_without_words_is_read_from_its_value_on_its_scale() {
    let doc = r#"[{"claimReviewed": "x", "url": "https://e.org/1",
      "reviewRating": {"ratingValue": "1", "bestRating": "7", "worstRating": "1"}}]"#;
    let c = &good(&read_all(doc.as_bytes(), Format::Auto))[0];
    assert_eq!(c.verdict, Some(Verdict::False));
    assert_eq!(c.verdict_text, None);
    assert_eq!(c.id, derive_id(Some("https://e.org/1"), "x"));
}

#[test]
fn a_data_commons_feed_yields_the_items_of_each_element() {
    let doc = r#"{"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": [
      {"@type": "DataFeedItem", "item": [{"@type": "ClaimReview", "claimReviewed": "a",
         "reviewRating": {"alternateName": "Faux"}}]},
      {"@type": "DataFeedItem", "item": [{"@type": "ClaimReview", "claimReviewed": "b",
         "reviewRating": {"alternateName": "Engañoso"}}, {"@type": "ClaimReview", "claimReviewed": "c"}]}
    ]}"#;
    let claims = good(&read_all(doc.as_bytes(), Format::Auto));
    let texts: Vec<_> = claims.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["a", "b", "c"]);
    assert_eq!(claims[1].verdict, Some(Verdict::Misleading));
    assert_eq!(claims[2].verdict, None);
}

#[test]
fn a_single_claimreview_object_is_one_record() {
    let doc = r#"{"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": "solo",
      "author": {"@type": "Organization", "name": "AFP", "url": "https://factuel.afp.com/fr/"}}"#;
    let claims = good(&read_all(doc.as_bytes(), Format::Auto));
    assert_eq!(claims.len(), 1);
    assert_eq!(
        claims[0].publisher_site.as_deref(),
        Some("https://factuel.afp.com/fr/")
    );
}

#[test]
fn a_bad_record_in_an_array_names_the_line_it_ends_on_and_the_rest_is_read() {
    let doc = "[\n{\"claimReviewed\": \"one\"},\n{\"headline\": \"no claim\",\n \"url\": \"u\"},\n{\"claimReviewed\": \"three\"}\n]\n";
    let records = read_all(doc.as_bytes(), Format::Claimreview);
    assert_eq!(
        errors(&records),
        [RecordError {
            line: 4,
            reason: "not a ClaimReview: no \"claimReviewed\"".to_owned()
        }]
    );
    assert_eq!(good(&records).len(), 2);
    assert!(records[1].is_err(), "errors come in file order");
}

#[test]
fn a_truncated_document_hands_over_the_good_records_then_an_error_with_its_line() {
    let doc = "[\n{\"claimReviewed\": \"one\"},\n{\"claimReviewed\": \"two\"},\n{\"claimReviewed\": \"thr";
    let records = read_all(doc.as_bytes(), Format::Auto);
    assert_eq!(good(&records).len(), 2);
    let last = records
        .last()
        .and_then(|r| r.as_ref().err())
        .expect("an error last");
    assert_eq!(last.line, 4);
    assert!(
        last.reason.starts_with("truncated JSON: "),
        "{}",
        last.reason
    );
}

#[test]
fn trailing_garbage_after_a_document_is_reported() {
    let records = read_all(b"[{\"claimReviewed\": \"one\"}]\n]", Format::Claimreview);
    assert_eq!(good(&records).len(), 1);
    assert_eq!(errors(&records)[0].line, 2);
}

#[test]
fn factcheck_api_records_give_one_claim_per_review_with_distinct_ids() {
    let records = read_all(FACTCHECK_API.as_bytes(), Format::Auto);
    assert!(errors(&records).is_empty());
    let claims = good(&records);
    assert_eq!(claims.len(), 3);
    let ar = &claims[0];
    assert_eq!(ar.publisher.as_deref(), Some("فتبينوا"));
    assert_eq!(ar.publisher_site.as_deref(), Some("fatabyyano.net"));
    assert_eq!(ar.claimant.as_deref(), Some("منشورات انستغرام"));
    assert_eq!(ar.claim_date.as_deref(), Some("2024-09-10T00:00:00Z"));
    assert_eq!(ar.verdict, Some(Verdict::False));
    assert_eq!(ar.lang.as_deref(), Some("ar"));
    assert_eq!(ar.id, derive_id(ar.url.as_deref(), &ar.text));
    assert_ne!(claims[1].id, claims[2].id);
    assert_eq!(claims[2].lang.as_deref(), Some("es"));
    assert_eq!(claims[2].verdict, Some(Verdict::Misleading));
    let raw_reviews = claims[2]
        .raw
        .as_ref()
        .map(|r| r["claimReview"].as_array().map(Vec::len));
    assert_eq!(raw_reviews, Some(Some(1)));
}

#[test]
fn an_object_without_claims_is_not_a_factcheck_api_response() {
    let records = read_all(b"{\"items\": []}", Format::FactcheckApi);
    assert_eq!(errors(&records).len(), 1);
    assert!(read_all(b"{}", Format::FactcheckApi).is_empty());
}

#[test]
fn the_arabic_claimreview_file_reads_without_errors() {
    let path = crate::verdict::tests::shared_data_dir()
        .join("arabic-claimreview/factcheck_api_claims.json");
    let file =
        std::fs::File::open(&path).unwrap_or_else(|e| panic!("opening {}: {e}", path.display()));
    let mut claims = Vec::new();
    read(std::io::BufReader::new(file), Format::Auto, |r| {
        claims.push(r.map_err(|e| crate::Error::Invalid(e.to_string()))?);
        Ok(())
    })
    .expect("every record reads");
    assert_eq!(claims.len(), 822);
    assert!(claims
        .iter()
        .all(|c| c.verdict.is_some() && c.publisher_site.is_some()));
}

#[test]
fn derived_ids_are_a_prefix_of_sha256_over_url_and_text() {
    // Same value as Python: hashlib.sha256(b"<url>\n<text>").hexdigest()[:16]
    assert_eq!(
        derive_id(
            Some("https://example.org/fc/1"),
            "The moon is made of cheese."
        ),
        "cr-e997c9245a79af6b"
    );
    assert_ne!(derive_id(None, "a"), derive_id(Some("u"), "a"));
}

#[test]
fn empty_exports_are_an_empty_array_and_an_empty_file() {
    assert_eq!(export(&[], ExportFormat::Claimreview), b"[]\n");
    assert_eq!(export(&[], ExportFormat::Jsonl), b"");
}

#[test]
fn jsonl_export_reads_back_into_the_same_claims_and_the_same_bytes() {
    let claims = all_shapes();
    assert_eq!(claims.len(), 6);
    let first = export(&claims, ExportFormat::Jsonl);
    let back = good(&read_all(&first, Format::Auto));
    let without_raw: Vec<Claim> = claims
        .iter()
        .cloned()
        .map(|c| Claim { raw: None, ..c })
        .collect();
    assert_eq!(back, without_raw);
    assert_eq!(export(&back, ExportFormat::Jsonl), first);
}

#[test]
fn claimreview_export_reads_back_to_the_same_bytes() {
    let claims = all_shapes();
    let first = export(&claims, ExportFormat::Claimreview);
    let records = read_all(&first, Format::Auto);
    assert!(errors(&records).is_empty(), "{:?}", errors(&records));
    let back = good(&records);
    assert_eq!(back.len(), claims.len());
    let second = export(&back, ExportFormat::Claimreview);
    assert_eq!(
        String::from_utf8_lossy(&second),
        String::from_utf8_lossy(&first)
    );
    // The fields ClaimReview carries survive, appearances and tags included.
    let ar = back
        .iter()
        .find(|c| c.id == "ar-7")
        .expect("the Arabic JSONL record");
    assert_eq!(ar.tags, ["سبتة", "هجرة"]);
    assert_eq!(
        ar.appearances,
        [Appearance {
            url: Some("https://www.tiktok.com/@a/video/1".into()),
            platform: Some("tiktok".into()),
            text: Some("شوفو شنو واقع ف سبتة".into()),
            first_seen: Some("2024-09-10".into()),
        }]
    );
    assert_eq!(ar.verdict_text.as_deref(), Some("زائف"));
    assert_eq!(ar.summary.as_deref(), Some("الفيديو قديم"));
}

#[test]
fn seed_data_parses_with_text_publisher_and_arabic_verdicts() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed-data/claims.jsonl");
    let body = std::fs::read(&path).expect("seed-data/claims.jsonl is in the repository");
    let records = read_all(&body, Format::Auto);
    assert!(
        errors(&records).is_empty(),
        "{:?}",
        errors(&records).first()
    );
    let claims = good(&records);
    assert!(claims.len() >= 400, "{}", claims.len());
    let mut ids = std::collections::HashSet::new();
    for c in &claims {
        assert!(!c.text.trim().is_empty(), "{}", c.id);
        assert!(c.publisher.is_some(), "{}", c.id);
        assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
        if c.lang.as_deref() == Some("ar") {
            assert!(c.verdict.is_some(), "{}", c.id);
            assert!(c.url.is_some(), "{}", c.id);
        }
    }
    let arabic = claims
        .iter()
        .filter(|c| c.lang.as_deref() == Some("ar"))
        .count();
    assert!(arabic >= 200, "{arabic}");
    assert!(claims
        .iter()
        .any(|c| c.text == "وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح كورونا"));
}

#[test]
fn every_format_cleans_control_characters_and_refuses_them_in_ids() {
    let jsonl = concat!(
        r#"{"id": "a", "text": "\u0000Vaccines \u001bcontain chips"}"#,
        "\n",
        r#"{"id": "b\u0000", "text": "fine"}"#,
        "\n",
        r#"{"text": "\u0000\u0001"}"#,
        "\n"
    );
    let records = read_all(jsonl.as_bytes(), Format::Jsonl);
    assert_eq!(good(&records)[0].text, "Vaccines contain chips");
    let errs = errors(&records);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].line, 2);
    assert!(errs[0].reason.contains("U+0000"), "{}", errs[0].reason);
    assert_eq!(errs[1].line, 3);
    // A derived id hashes the clean text, whatever the format.
    let review = r#"[{"@type": "ClaimReview", "url": "https://example.org/r",
        "claimReviewed": "\u0000The fence opens"},
        {"@type": "ClaimReview", "identifier": "x\ny", "claimReviewed": "t"}]"#;
    let records = read_all(review.as_bytes(), Format::Claimreview);
    let claims = good(&records);
    assert_eq!(claims[0].text, "The fence opens");
    assert_eq!(
        claims[0].id,
        derive_id(Some("https://example.org/r"), "The fence opens")
    );
    assert_eq!(errors(&records).len(), 1);
}
