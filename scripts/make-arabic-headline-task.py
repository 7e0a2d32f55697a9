#!/usr/bin/env python3
"""Derive the Arabic headline -> claim retrieval task from the Arabic ClaimReview records.

Each fact-check's headline (`title`) is the post to match and its claim (`text`)
the target; the titles are left out of the claim pool, so a match has to come
from the claim's own words. Records repeated in the source (same review URL and
claim) count once. The split is fixed by a hash of the review URL: about 70%
train, 30% dev.

Source: ../shared/data/arabic-claimreview/factcheck_api_claims.json
(fact-checkers' published ClaimReview metadata, as collected in
Ghassan-Dib/Arabic-Fact-Checking). Run from the repository root:

    python3 scripts/make-arabic-headline-task.py
"""
import hashlib
import json
import os

SRC = os.path.join("..", "shared", "data", "arabic-claimreview", "factcheck_api_claims.json")
OUT = os.path.join("eval-data", "ar-headlines")


def main():
    with open(SRC, encoding="utf-8") as f:
        records = json.load(f)["claims"]
    os.makedirs(OUT, exist_ok=True)
    seen = set()
    claims, queries, qrels = [], {"train": [], "dev": []}, {"train": [], "dev": []}
    for rec in records:
        review = rec["claimReview"][0]
        url, text, title = review["url"], rec["text"].strip(), (review.get("title") or "").strip()
        if not text or not title or (url, text) in seen:
            continue
        seen.add((url, text))
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        cid, qid = "arc-" + digest[:12], "arq-" + digest[:12]
        split = "dev" if int(digest[:8], 16) % 10 >= 7 else "train"
        lang = review.get("languageCode") or "ar"
        claims.append({"id": cid, "text": text, "lang": lang})
        queries[split].append({"id": qid, "text": title, "lang": lang})
        qrels[split].append((qid, cid))
    with open(os.path.join(OUT, "claims.jsonl"), "w", encoding="utf-8") as f:
        for c in claims:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    for split in ("train", "dev"):
        with open(os.path.join(OUT, f"{split}_queries.jsonl"), "w", encoding="utf-8") as f:
            for q in queries[split]:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
        with open(os.path.join(OUT, f"{split}_qrels.tsv"), "w", encoding="utf-8") as f:
            for qid, cid in qrels[split]:
                f.write(f"{qid}\t{cid}\n")
    print(len(claims), "claims;", {s: len(q) for s, q in queries.items()})


if __name__ == "__main__":
    main()
