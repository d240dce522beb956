"""Scoring story assignments against the labelled near-duplicate corpus.

    .venv/bin/python -m bench.dedup_eval corpus.jsonl predictions.jsonl [--json]

``predictions.jsonl`` holds one ``{"id": ..., "story_id": ...}`` per line (other fields
are ignored); an item it leaves out is a story of its own. Everything is computed from
the contingency table of true against predicted stories, never by listing pairs:

- pairwise precision, recall and F1 over the pairs of items put in one story (a pair is
  a true positive when both partitions put its two items together);
- the adjusted Rand index (Hubert and Arabie, "Comparing partitions", Journal of
  Classification 2, 1985, p. 198): with n_ij the table's cells, a_i and b_j its row and
  column sums, C(x) = x(x-1)/2 and E = Σ C(a_i) Σ C(b_j) / C(n) the index expected by chance,
  ARI = (Σ C(n_ij) - E) / (½ (Σ C(a_i) + Σ C(b_j)) - E);
- per hard-negative kind, the false-merge rate: the share of its items whose predicted
  story holds an item of another true story;
- per edit, the copy recall: the share of copies with that edit (and of lede-only and
  truncated copies) put in their original's predicted story.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.dedup_corpus import EDITS, Item, read_items

#: Kinds of copies that are not "copy:<edits>".
PARTIAL = ("lede", "truncated")


def pairs(n: int) -> int:
    """C(n, 2): the pairs among n items."""
    return n * (n - 1) // 2


@dataclass(frozen=True, slots=True)
class Rate:
    """``hits`` of ``total`` items."""

    hits: int
    total: int

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Report:
    """Pairwise scores, the adjusted Rand index, false merges and copy recall."""

    items: int
    true_stories: int
    predicted_stories: int
    unpredicted: int  # items the predictions leave out (each counted as its own story)
    true_pairs: int  # Σ C(a_i): pairs in one true story
    predicted_pairs: int  # Σ C(b_j): pairs in one predicted story
    shared_pairs: int  # Σ C(n_ij): pairs in one story in both
    ari: float
    false_merges: Mapping[str, Rate]  # hard-negative kind -> items merged with another story
    copy_recall: Mapping[str, Rate]  # edit, "lede", "truncated" or "all" -> copies joined

    @property
    def precision(self) -> float:
        """1.0 when no pair was predicted: nothing was merged wrongly."""
        return self.shared_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        """1.0 when the truth has no pair: nothing was there to find."""
        return self.shared_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def table(self) -> str:
        """The report as aligned text."""
        lines = [
            f"{self.items} items: {self.true_stories} true stories, "
            f"{self.predicted_stories} predicted ({self.unpredicted} items without a prediction)",
            f"pairs: {self.true_pairs} true, {self.predicted_pairs} predicted, "
            f"{self.shared_pairs} in both",
            f"pairwise precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}",
            f"adjusted Rand index {self.ari:.4f}",
            "false merges (hard negatives in a predicted story with another true story):",
            *_rows(self.false_merges),
            "copy recall (copies in their original's predicted story):",
            *_rows(self.copy_recall),
        ]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The report as plain data, for JSON."""
        return {
            "items": self.items,
            "true_stories": self.true_stories,
            "predicted_stories": self.predicted_stories,
            "unpredicted": self.unpredicted,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "ari": self.ari,
            "false_merges": {k: [r.hits, r.total] for k, r in self.false_merges.items()},
            "copy_recall": {k: [r.hits, r.total] for k, r in self.copy_recall.items()},
        }


def _rows(rates: Mapping[str, Rate]) -> list[str]:
    return [
        f"  {kind:14s} {rate.hits:7d} / {rate.total:<7d} {rate.share:7.1%}"
        for kind, rate in rates.items()
    ] or ["  (none)"]


def adjusted_rand(cells: Iterable[int], rows: Iterable[int], columns: Iterable[int]) -> float:
    """Hubert and Arabie's adjusted Rand index from a contingency table's cells and sums.

    Computed in integers, both terms multiplied by 2 C(n). It is 1.0 when the expected and
    the maximum index coincide, which happens only when both partitions are all singletons
    or both a single story: the partitions are then equal.
    """
    row_sizes = list(rows)
    index = sum(pairs(n) for n in cells)
    a = sum(pairs(n) for n in row_sizes)
    b = sum(pairs(n) for n in columns)
    total = pairs(sum(row_sizes))
    numerator = 2 * (index * total - a * b)
    denominator = (a + b) * total - 2 * a * b
    return numerator / denominator if denominator else 1.0


def copy_edits(kind: str) -> tuple[str, ...] | None:
    """The edits a copy's kind names ("copy:trim+number", "lede"); None for other kinds."""
    if kind in PARTIAL:
        return (kind,)
    family, _, edits = kind.partition(":")
    return tuple(edits.split("+")) if family == "copy" else None


def evaluate(truth: Sequence[Item], predicted: Mapping[str, str]) -> Report:
    """Score predicted story ids (item id -> story id) against the items' true stories."""
    # An item without a prediction is a story of its own; the tags keep the keys apart.
    guess = {
        item.id: ("p", predicted[item.id]) if item.id in predicted else ("m", item.id)
        for item in truth
    }
    if len(guess) != len(truth):
        raise ValueError("eval: the corpus repeats an item id")
    cells = Counter((item.story, guess[item.id]) for item in truth)
    rows = Counter(item.story for item in truth)
    columns = Counter(guess.values())
    # A predicted story with items of two true stories merged them: all its items were.
    stories_in = Counter(column for _, column in cells)
    merged = {column for column, n in stories_in.items() if n > 1}
    false_merges: Counter[tuple[str, bool]] = Counter()
    for item in truth:
        if item.kind.startswith("neg:"):
            for key in (item.kind, "all"):
                false_merges[key, guess[item.id] in merged] += 1
    # A story's original is its earliest item that is not a copy.
    originals: dict[str, Item] = {}
    for item in sorted(truth, key=lambda i: (i.published_at, i.id)):
        if copy_edits(item.kind) is None:
            originals.setdefault(item.story, item)
    joined: Counter[tuple[str, bool]] = Counter()
    for item in truth:
        edits = copy_edits(item.kind)
        if edits is not None and item.story in originals:
            same = guess[item.id] == guess[originals[item.story].id]
            for key in (*edits, "all"):
                joined[key, same] += 1
    return Report(
        items=len(truth),
        true_stories=len(rows),
        predicted_stories=len(columns),
        unpredicted=sum(1 for tag, _ in guess.values() if tag == "m"),
        true_pairs=sum(pairs(n) for n in rows.values()),
        predicted_pairs=sum(pairs(n) for n in columns.values()),
        shared_pairs=sum(pairs(n) for n in cells.values()),
        ari=adjusted_rand(cells.values(), rows.values(), columns.values()),
        false_merges=_rates(false_merges),
        copy_recall=_rates(joined),
    )


#: Row order in the report: the edits as the corpus names them, then the rest by name.
_ORDER = (*EDITS, "brief", "exact", *PARTIAL)


def _rates(counts: Counter[tuple[str, bool]]) -> dict[str, Rate]:
    keys = {key for key, _ in counts}
    ordered = sorted(keys - {"all"}, key=lambda k: (_ORDER.index(k) if k in _ORDER else 99, k))
    return {
        key: Rate(counts[key, True], counts[key, True] + counts[key, False])
        for key in [*ordered, *(["all"] if "all" in keys else [])]
    }


def read_predictions(path: Path) -> dict[str, str]:
    """Item id -> predicted story id from JSON lines with ``id`` and ``story_id``."""
    predicted = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                predicted[str(row["id"])] = str(row["story_id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"eval: {path}:{number}: not an id/story_id object") from exc
    return predicted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="JSON lines from bench.dedup_corpus")
    parser.add_argument("predictions", type=Path, help='JSON lines {"id", "story_id"}')
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        report = evaluate(read_items(args.corpus), read_predictions(args.predictions))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
