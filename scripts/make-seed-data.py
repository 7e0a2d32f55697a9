#!/usr/bin/env python3
"""Derive seed-data/claims.jsonl (debunk JSONL) from the shared evaluation data.

Usage: python3 scripts/make-seed-data.py [DATA_DIR] [OUT_FILE]
  DATA_DIR defaults to ../shared/data next to the checkout (or $DEBUNK_DATA_DIR),
  OUT_FILE to seed-data/claims.jsonl.

The selection is deterministic: evenly spaced records of each source (the
j-th of n picks index j * len // n), so a rerun on the same data gives the
same file byte for byte. Standard library only.
"""

import hashlib
import json
import os
import re
import sys
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ARABIC = 250
SNOPES = 100
POLITIFACT = 100
# A record the product demo and tests rely on; always included.
MUST_HAVE = "وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح كورونا"


def derive_id(review_url, text):
    """Same rule as formats::derive_id, so importing the API file later
    updates these records instead of duplicating them."""
    digest = hashlib.sha256(((review_url or "") + "\n" + text).encode("utf-8"))
    return "cr-" + digest.hexdigest()[:16]


def spaced(items, n):
    if len(items) <= n:
        return list(range(len(items)))
    return [j * len(items) // n for j in range(n)]


def iso_date(s):
    """ISO date for the English sets' dates; None when unreadable."""
    if not s:
        return None
    m = re.search(r"([A-Z][a-z]+ \d{1,2}, \d{4})", s)
    for text, fmt in ((m.group(1) if m else None, "%B %d, %Y"), (s.strip(), "%d %B %Y")):
        if text:
            try:
                return datetime.strptime(text, fmt).strftime("%Y-%m-%d")
            except ValueError:
                pass
    return None


def drop_empty(record):
    return {k: v for k, v in record.items() if v not in (None, "", [])}


def arabic(data_dir):
    with open(os.path.join(data_dir, "arabic-claimreview", "factcheck_api_claims.json"), encoding="utf-8") as f:
        claims = json.load(f)["claims"]
    # The source lists some fact-checks twice; pick among distinct ones.
    unique, seen = [], set()
    for c in claims:
        text = c.get("text", "").strip()
        review = (c.get("claimReview") or [{}])[0]
        rid = derive_id(review.get("url"), text)
        if text and rid not in seen:
            seen.add(rid)
            unique.append((rid, text, c, review))
    picked = set(spaced(unique, ARABIC))
    picked.update(i for i, u in enumerate(unique) if u[1] == MUST_HAVE)
    out = []
    for i in sorted(picked):
        rid, text, c, review = unique[i]
        publisher = review.get("publisher") or {}
        out.append(drop_empty({
            "id": rid,
            "text": text,
            "title": review.get("title"),
            "lang": (review.get("languageCode") or "ar").lower(),
            "verdict_text": review.get("textualRating"),
            "url": review.get("url"),
            # A few records name no publisher; the site still says who it is.
            "publisher": publisher.get("name") or publisher.get("site"),
            "publisher_site": publisher.get("site"),
            "claimant": c.get("claimant"),
            "claim_date": c.get("claimDate"),
            "review_date": review.get("reviewDate"),
        }))
    return out


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def snopes(data_dir):
    rows = [r for r in read_jsonl(os.path.join(data_dir, "clef2022-task2a-en", "claims.jsonl")) if r.get("text", "").strip()]
    return [drop_empty({
        "id": r["id"],
        "text": r["text"].strip(),
        "title": r.get("title"),
        "subtitle": r.get("subtitle"),
        "lang": r.get("lang", "en"),
        "publisher": "Snopes",
        "publisher_site": "snopes.com",
        # The set's date is the fact-check's publication date.
        "review_date": iso_date(r.get("date")) or r.get("date"),
    }) for r in (rows[i] for i in spaced(rows, SNOPES))]


def politifact(data_dir):
    rows = [r for r in read_jsonl(os.path.join(data_dir, "clef2022-task2b-en", "claims.jsonl")) if r.get("text", "").strip()]
    return [drop_empty({
        "id": r["id"],
        "text": r["text"].strip(),
        "title": r.get("title"),
        "lang": r.get("lang", "en"),
        "verdict_text": r.get("verdict"),
        "url": r.get("url"),
        "publisher": "PolitiFact",
        "publisher_site": "politifact.com",
        "claimant": r.get("speaker"),
        # "stated on October 22, 2019 in a campaign mailer.": when the claim was made.
        "claim_date": iso_date(r.get("date")) or r.get("date"),
    }) for r in (rows[i] for i in spaced(rows, POLITIFACT))]


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "DEBUNK_DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))
    out_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "seed-data", "claims.jsonl")
    parts = [("arabic-claimreview", arabic(data_dir)),
             ("clef2022-task2a-en", snopes(data_dir)),
             ("clef2022-task2b-en", politifact(data_dir))]
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        for _, records in parts:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) + "\n")
    for name, records in parts:
        print(f"{name}: {len(records)}", file=sys.stderr)


if __name__ == "__main__":
    main()
