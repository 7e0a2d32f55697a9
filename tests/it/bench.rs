//! `debunk bench`: the whole suite runs, each system in its own child
//! process, and reports every figure with its ratios. Figures are never
//! judged here, only that they were measured.

use crate::common::{bin, shared_data};

#[test]
fn bench_runs_every_system_and_reports_ratios_to_both_references() {
    let out = bin()
        .args([
            "--semantic",
            "off",
            "bench",
            "--sizes",
            "300",
            "--posts",
            "40",
        ])
        .args(["--budget-secs", "0", "--json", "--data"])
        .arg(shared_data(""))
        .output()
        .expect("run debunk bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(r["languages"], serde_json::json!(["en", "ar", "fr", "es"]));
    assert!(r["semantic_skipped"]
        .as_str()
        .is_some_and(|s| s.contains("off")));
    let size = &r["sizes"][0];
    assert_eq!(size["claims"], 300);
    for system in ["debunk", "tantivy", "fts5"] {
        let f = &size[system];
        assert!(
            f["import_claims_per_second"].as_f64() > Some(0.0),
            "{system}: {f}"
        );
        assert!(f["index_bytes"].as_u64() > Some(0), "{system}: {f}");
        assert!(f["peak_rss_bytes"].as_u64() > Some(0), "{system}: {f}");
        assert!(
            f["posts_per_second_one_core"].as_f64() > Some(0.0),
            "{system}: {f}"
        );
        // A zero budget still answers a few posts of each loop.
        assert!(f["posts_measured"].as_u64() >= Some(20), "{system}: {f}");
        assert!(f["recall_at_1"].as_f64() > Some(0.5), "{system}: {f}");
    }
    for reference in ["ratio_to_tantivy", "ratio_to_fts5"] {
        assert!(size[reference]["posts_per_second_one_core"].as_f64() > Some(0.0));
    }
    assert!(size["debunk_extras"]["claim_page_p50_us"].as_f64() > Some(0.0));
    assert!(size["semantic"].is_null());
}

#[test]
fn bench_subcommands_and_the_suite_do_not_mix() {
    let out = bin()
        .args(["bench", "--quick", "match"])
        .output()
        .expect("run debunk bench");
    assert!(!out.status.success());
}
