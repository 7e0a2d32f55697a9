use super::*;
use tantivy::collector::TopDocs;

fn claim(i: usize, text: &str) -> Claim {
    Claim {
        id: format!("c{i}"),
        text: text.to_string(),
        lang: Some("en".into()),
        ..Claim::default()
    }
}

/// An in-memory index (its queries run on postings copies from the first)
/// holding `texts` as English claims `c0`, `c1`, ..., committed.
fn index_of<S: AsRef<str>>(texts: &[S]) -> ClaimIndex {
    let index = ClaimIndex::open(None, Analysis::NONE).expect("index");
    let changes: Vec<(String, Option<Claim>)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("c{i}"), Some(claim(i, t.as_ref()))))
        .collect();
    index.apply(&changes).expect("apply");
    index.commit(1).expect("commit");
    index
}

/// English word terms, unboosted.
fn en_terms<'t>(words: &[&'t str]) -> Vec<QueryTerm<'t>> {
    words
        .iter()
        .map(|t| QueryTerm {
            field: TermField::Words(Lang::En),
            term: t,
            boost: 1.0,
        })
        .collect()
}

#[test]
fn matching_retrieval_scores_as_a_plain_search_does() {
    let index = index_of(&[
        "the vaccine changes your dna",
        "a vaccine study in brazil found no dna change",
        "anaconda swimming across a river in brazil",
        "fries for one dollar at every restaurant",
        "the river flooded the vaccine warehouse",
    ]);
    let snapshot = index.snapshot();
    let terms = en_terms(&["vaccin", "dna", "brazil", "river"]);
    // Warm the frequency cache the way the matcher does.
    for t in &terms {
        snapshot.doc_freq(t.field, t.term);
    }
    let got: Vec<(String, f32)> = snapshot
        .retrieve(&terms, 10)
        .expect("retrieve")
        .into_iter()
        .map(|r| (r.claim.id.clone(), r.score))
        .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got, tantivy_top(&index, &terms, 10));
    assert!(index.matching_memory_bytes() > 0, "answered without copies");
}

/// What tantivy's own boolean query returns for the terms: ids and scores.
fn tantivy_top(index: &ClaimIndex, terms: &[QueryTerm<'_>], limit: usize) -> Vec<(String, f32)> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|t| {
            let q: Box<dyn Query> = Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(index.field_of(t.field), t.term),
                    IndexRecordOption::WithFreqs,
                )),
                t.boost,
            ));
            (Occur::Should, q)
        })
        .collect();
    let searcher = index.reader.searcher();
    searcher
        .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(limit))
        .expect("search")
        .into_iter()
        .map(|(score, addr)| (index.stored(&searcher, addr).expect("doc").id, score))
        .collect()
}

#[test]
fn matching_retrieval_agrees_with_tantivy_across_segments_and_deletions() {
    // A few thousand claims over a small vocabulary, written in three
    // commits (several segments), some deleted or replaced afterwards.
    let words: Vec<String> = (0..60).map(|i| format!("w{i}x")).collect();
    let mut seed = 7u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let index = ClaimIndex::open(None, Analysis::NONE).expect("index");
    let mut seq = 0;
    for batch in 0..3 {
        let changes: Vec<(String, Option<Claim>)> = (0..1500)
            .map(|i| {
                let n = 3 + (next() % 12) as usize;
                // Skewed: low-numbered words are common, high ones rare.
                let text: Vec<&str> = (0..n)
                    .map(|_| {
                        let r = (next() % 60) as usize;
                        words[r * r / 60].as_str()
                    })
                    .collect();
                let i = batch * 1500 + i;
                (format!("c{i}"), Some(claim(i, &text.join(" "))))
            })
            .collect();
        index.apply(&changes).expect("apply");
        seq += 1;
        index.commit(seq).expect("commit");
    }
    let gone: Vec<(String, Option<Claim>)> = (0..4500)
        .step_by(7)
        .map(|i| (format!("c{i}"), None))
        .chain(
            (1..4500)
                .step_by(11)
                .map(|i| (format!("c{i}"), Some(claim(i, "w59x w3x")))),
        )
        .collect();
    index.apply(&gone).expect("apply");
    index.commit(seq + 1).expect("commit");
    assert!(index.reader.searcher().segment_readers().len() > 1);

    let snapshot = index.snapshot();
    for q in 0..40 {
        let n = 1 + q % 12;
        let terms: Vec<QueryTerm<'_>> = (0..n)
            .map(|k| QueryTerm {
                field: TermField::Words(Lang::En),
                term: &words[(q * 7 + k * 13) % 60],
                boost: if k % 3 == 0 {
                    1.0
                } else {
                    0.5 + k as f32 / 4.0
                },
            })
            .collect();
        let limit = [1, 10, 30, 200][q % 4];
        let got: Vec<(String, f32)> = snapshot
            .retrieve(&terms, limit)
            .expect("retrieve")
            .into_iter()
            .map(|r| (r.claim.id.clone(), r.score))
            .collect();
        let expected = tantivy_top(&index, &terms, limit);
        assert_eq!(got.len(), expected.len(), "query {q}");
        for (g, e) in got.iter().zip(&expected) {
            // Sums taken in another order may differ in the last bits,
            // which may swap documents of equal score.
            assert!(
                (g.1 - e.1).abs() <= 1e-4 * e.1.abs(),
                "query {q}: {g:?} vs {e:?}"
            );
        }
        let ids = |v: &[(String, f32)]| -> Vec<String> {
            let mut ids: Vec<String> = v.iter().map(|x| x.0.clone()).collect();
            ids.sort();
            ids
        };
        // The same documents, unless a tie sits across the cut.
        let last = expected.last().map_or(0.0, |e| e.1);
        let tie_at_cut = expected
            .iter()
            .filter(|e| (e.1 - last).abs() <= 1e-4 * last)
            .count()
            > 1;
        if !tie_at_cut {
            assert_eq!(ids(&got), ids(&expected), "query {q}");
        }
    }
    assert!(index.matching_memory_bytes() > 0, "answered without copies");
}

#[test]
fn a_commit_between_queries_brings_its_claims_to_the_same_terms() {
    // Term ordinals are kept per searcher generation: the second query,
    // after a new segment and a deletion, must see both.
    let index = index_of(&["storm the border fence", "the fence at the border"]);
    let terms = en_terms(&["fenc", "border", "ceuta"]);
    let before: Vec<String> = index
        .snapshot()
        .retrieve(&terms, 10)
        .expect("retrieve")
        .into_iter()
        .map(|r| r.claim.id.clone())
        .collect();
    assert_eq!(before.len(), 2, "{before:?}");
    index
        .apply(&[
            ("c0".to_string(), None),
            (
                "c2".to_string(),
                Some(claim(2, "ceuta border fence on the 15th")),
            ),
        ])
        .expect("apply");
    index.commit(2).expect("commit");
    let after: Vec<(String, f32)> = index
        .snapshot()
        .retrieve(&terms, 10)
        .expect("retrieve")
        .into_iter()
        .map(|r| (r.claim.id.clone(), r.score))
        .collect();
    assert_eq!(after, tantivy_top(&index, &terms, 10));
    assert_eq!(after.first().map(|a| a.0.as_str()), Some("c2"), "{after:?}");
    assert!(!after.iter().any(|a| a.0 == "c0"), "{after:?}");
}

#[test]
fn a_field_is_copied_after_some_queries_with_the_same_answers() {
    let texts: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "vaccine claim number w{} about w{} and w{}",
                i % 7,
                i % 11,
                i % 13
            )
        })
        .collect();
    let mut index = index_of(&texts);
    index.postings = postings::PostingsCache::default();
    let snapshot = index.snapshot();
    let terms = en_terms(&["w3", "w5", "vaccin", "w12"]);
    let run = || -> Vec<String> {
        let hits = snapshot.retrieve(&terms, 10).expect("retrieve");
        hits.into_iter().map(|r| r.claim.id.clone()).collect()
    };
    let first = run();
    assert_eq!(first.len(), 10);
    for _ in 1..postings::QUERIES_BEFORE_COPY {
        assert_eq!(run(), first);
    }
    assert_eq!(index.matching_memory_bytes(), 0, "copied too early");
    assert_eq!(run(), first);
    assert!(index.matching_memory_bytes() > 0, "never copied");
}

#[test]
fn a_rolled_back_clear_never_lands_with_a_later_commit() {
    let index = index_of(&["the fence opens", "the river floods"]);
    index.clear().unwrap();
    index.rollback().unwrap();
    index
        .apply(&[("c9".into(), Some(claim(9, "a later write")))])
        .unwrap();
    index.commit(2).unwrap();
    assert_eq!(index.num_docs(), 3);
}

#[test]
fn an_index_whose_writer_another_process_holds_opens_to_read_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let holder = ClaimIndex::open(Some(&path), Analysis::NONE).unwrap();
    holder
        .apply(&[("c1".into(), Some(claim(1, "the fence opens")))])
        .unwrap();
    holder.commit(1).unwrap();
    assert!(matches!(
        ClaimIndex::open(Some(&path), Analysis::NONE),
        Err(Error::IndexBusy)
    ));
    let reader = ClaimIndex::open_reader(&path, Analysis::NONE).unwrap();
    assert_eq!(reader.num_docs(), 1);
    assert_eq!(reader.applied_seq().unwrap(), 1);
    assert!(matches!(reader.commit(2), Err(Error::IndexBusy)));
    // The holder's index was neither judged nor touched.
    assert_eq!(holder.num_docs(), 1);
}

/// A process killed while committing leaves files the commit had written
/// (a segment's deletes, say) but `meta.json` never named. The next
/// process replays the same changes from the store, reaches the same
/// opstamps and would write files of the same names: found by the crash
/// harness as `FileAlreadyExists(…​.del)` on restart.
#[test]
fn files_a_killed_commit_left_behind_do_not_stop_the_same_commit_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let upsert = |index: &ClaimIndex, seq: i64| {
        index
            .apply(&[("c1".into(), Some(claim(1, "the fence opens")))])
            .unwrap();
        index.commit(seq)
    };
    {
        // Many claims, so that replacing one leaves its segment (whichever
        // indexing thread made it) alive with a deletes file rather than
        // dropping it whole.
        let first = ClaimIndex::open(Some(&path), Analysis::NONE).unwrap();
        let others: Vec<_> = (2..40)
            .map(|i| (format!("c{i}"), Some(claim(i, "the river floods"))))
            .collect();
        first.apply(&others).unwrap();
        upsert(&first, 1).unwrap();
    }
    let before = dir.path().join("before");
    copy_dir(&path, &before);
    upsert(&ClaimIndex::open(Some(&path), Analysis::NONE).unwrap(), 2).unwrap();
    // The killed process's leftovers: the new `.del` files, which tantivy
    // registers as its own before writing them, and no new `meta.json`.
    let managed = before.join(".managed.json");
    let mut names: Vec<String> = serde_json::from_slice(&std::fs::read(&managed).unwrap()).unwrap();
    let mut left = 0;
    for entry in std::fs::read_dir(&path).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".del") && !before.join(&name).exists() {
            std::fs::copy(path.join(&name), before.join(&name)).unwrap();
            names.push(name);
            left += 1;
        }
    }
    assert!(left > 0, "the second commit wrote no deletes file");
    std::fs::write(&managed, serde_json::to_vec(&names).unwrap()).unwrap();
    let restarted = ClaimIndex::open(Some(&before), Analysis::NONE).unwrap();
    upsert(&restarted, 2).unwrap();
    assert_eq!(restarted.num_docs(), 39);
    assert_eq!(restarted.applied_seq().unwrap(), 2);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
