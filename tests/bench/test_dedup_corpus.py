"""The labelled near-duplicate corpus (bench/dedup_corpus.py) and its scorer (bench/dedup_eval.py)."""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import dedup_corpus, dedup_eval
from bench.dedup_corpus import (
    EDITS,
    START,
    WIRES,
    Item,
    corpus_sources,
    generate,
    generate_scale,
)
from bench.dedup_eval import Rate, adjusted_rand, evaluate

ROOT = Path(__file__).resolve().parents[2]
WIRE_NAMES = "|".join(name for _, name in WIRES)
BYLINE = re.compile(rf"By .+(, | \| )({WIRE_NAMES})$|({WIRE_NAMES}) staff$")
DATELINE = re.compile(rf"[A-Z .']+ \(({WIRE_NAMES})\) — ")
COPY_FAMILIES = ("copy", "lede", "truncated")


@functools.cache
def corpus(seed: int = 7, stories: int = 120) -> tuple[Item, ...]:
    return tuple(generate(seed, stories=stories))


def originals(items: tuple[Item, ...]) -> dict[str, Item]:
    return {item.story: item for item in items if item.kind == "original"}


def family(item: Item) -> str:
    return item.kind.partition(":")[0] if item.kind.startswith("copy:") else item.kind


def furniture(items: tuple[Item, ...]) -> dict[str, set[str]]:
    """Per site, the lines on a quarter or more of its items: its boilerplate."""
    per_site: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for item in items:
        sizes[item.site] += 1
        per_site[item.site].update(set(item.text.splitlines()))
    return {
        site: {line for line, n in lines.items() if n >= max(3, sizes[site] / 4)}
        for site, lines in per_site.items()
    }


def words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"\w+", text)}


# Generation


def test_generation_is_deterministic_per_seed() -> None:
    first, again, other = generate(3, stories=25), generate(3, stories=25), generate(4, stories=25)
    assert first == again
    assert [item.text for item in first] != [item.text for item in other]


@pytest.mark.slow
def test_the_cli_writes_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    # Set and dict orders of strings change with PYTHONHASHSEED; the corpus must not.
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"corpus-{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        command = [sys.executable, "-m", "bench.dedup_corpus", "--seed", "5", "--stories", "30"]
        subprocess.run([*command, "--synthetic", "--out", str(out)], cwd=ROOT, env=env, check=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == len(generate(5, stories=30))


def test_items_come_in_time_order_over_five_runs() -> None:
    items = corpus()
    assert [item.published_at for item in items] == sorted(item.published_at for item in items)
    assert [item.run for item in items] == sorted(item.run for item in items)
    assert {item.run for item in items} == {0, 1, 2, 3, 4}
    assert len({item.id for item in items}) == len({item.url for item in items}) == len(items)
    for item in items:
        assert item.url.startswith(f"https://{item.site}/")
        assert item.published_at.tzinfo == UTC
        assert item.run == min(4, (item.published_at - START).days)


def test_every_kind_is_present() -> None:
    items = corpus()
    kinds = {item.kind for item in items}
    assert {"original", "lede", "truncated", "neg:topic", "neg:template", "neg:brief"} <= kinds
    edits = {edit for kind in kinds if kind.startswith("copy:") for edit in kind[5:].split("+")}
    assert set(EDITS) | {"brief"} <= edits


def test_each_story_opens_with_one_original_that_its_copies_follow() -> None:
    items = corpus()
    stories: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        stories[item.story].append(item)
    wire_sites = {site for site, _ in WIRES}
    for members in stories.values():
        first, *copies = members  # time order
        assert not first.kind.startswith("copy") and first.kind not in COPY_FAMILIES
        assert all(family(copy) in COPY_FAMILIES for copy in copies)
        assert all(copy.published_at > first.published_at for copy in copies)
        assert (first.site in wire_sites) == (first.kind == "original")
        # Copies come from distinct outlets, none of them the wire.
        assert len({copy.site for copy in copies}) == len(copies)
        assert not {copy.site for copy in copies} & wire_sites
    wire_stories = [m for m in stories.values() if m[0].kind == "original"]
    assert all(2 <= len(members) - 1 <= 8 for members in wire_stories)


def test_the_mix_is_near_the_target_shares() -> None:
    items = corpus(1, 300)
    counts = Counter(family(item) for item in items)
    share = {kind: n / len(items) for kind, n in counts.items()}
    assert 2500 <= len(items) <= 5000  # "a few thousand" for 300 stories
    assert 0.30 <= share["copy"] <= 0.40
    assert 0.07 <= share["lede"] + share["truncated"] <= 0.13
    distinct = share["original"] + share["neg:topic"] + share["neg:template"] + share["neg:brief"]
    assert 0.50 <= distinct <= 0.60
    assert 0.17 <= share["neg:template"] <= 0.23


def test_identical_texts_always_belong_to_one_story() -> None:
    # Otherwise no method could tell the two stories apart: the labels would be noise.
    stories: dict[str, set[str]] = defaultdict(set)
    for item in corpus(1, 300):
        stories[item.text].add(item.story)
    assert all(len(labels) == 1 for labels in stories.values())


def test_copies_carry_exactly_the_edits_their_kind_names() -> None:
    items = corpus()
    wire = originals(items)
    boilerplate = furniture(items)
    seen: Counter[str] = Counter()
    for item in items:
        if not item.kind.startswith("copy:") or "brief" in item.kind:
            continue
        edits = set(item.kind[5:].split("+"))
        original = wire[item.story]
        lines, source = item.text.splitlines(), original.text.splitlines()
        seen.update(edits)
        if edits == {"exact"}:
            assert (item.title, item.text) == (original.title, original.text)
            continue
        if not edits & {"headline", "number"}:
            assert item.title == original.title
        if "headline" in edits:
            assert item.title != original.title
        assert ("boilerplate" in edits) == bool(set(lines) & boilerplate[item.site])
        assert ("byline" in edits) == any(BYLINE.match(line) for line in lines)
        assert ("correction" in edits) == any(
            line.startswith(("Correction:", "Clarification:")) for line in lines
        )
        if "trim" in edits and "edit" not in edits:
            assert source[-1] not in lines
        if not edits & {"trim", "edit", "number", "byline", "correction", "boilerplate"}:
            assert lines == source
        if "number" in edits:
            numbers = Counter(re.findall(r"\d[\d,]*", original.text))
            assert Counter(re.findall(r"\d[\d,]*", item.text)) != numbers
    assert min(seen[edit] for edit in EDITS) >= 5


def test_lede_and_truncated_copies_are_the_start_of_their_original() -> None:
    items = corpus()
    wire = originals(items)
    boilerplate = furniture(items)
    fractions = []
    for item in items:
        if item.kind not in ("lede", "truncated"):
            continue
        body = [line for line in item.text.splitlines() if line not in boilerplate[item.site]]
        source = wire[item.story].text.split()
        got = " ".join(body).split()
        assert got == source[: len(got)]
        if item.kind == "lede":
            assert body == wire[item.story].text.splitlines()[: len(body)]
            assert len(body) <= 3 and item.text == "\n".join(body)
        else:
            fractions.append(len(got) / len(source))
    assert min(fractions) >= 0.28
    assert max(fractions) <= 0.62


def test_boilerplate_lines_repeat_within_an_outlet() -> None:
    items = corpus()
    wire = originals(items)
    per_site: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for item in items:
        edits = set(item.kind[5:].split("+")) if item.kind.startswith("copy:") else set()
        # Copies whose article lines are the original's: what else they carry is furniture.
        if "boilerplate" in edits and not edits & {"edit", "number", "brief"}:
            source = wire[item.story].text.splitlines()
            added = tuple(
                line
                for line in item.text.splitlines()
                if line not in source
                and not BYLINE.match(line)
                and not DATELINE.match(line)
                and not line.startswith(("Correction:", "Clarification:"))
            )
            per_site[item.site][added] += 1
    assert len(per_site) >= 10
    for site, variants in per_site.items():
        assert len(variants) == 1, site  # one fixed set of lines per outlet ...
        (lines,) = variants
        assert 3 <= len(lines) <= 8  # ... of three to eight lines
    assert sum(n > 1 for variants in per_site.values() for n in variants.values()) >= 10
    # Briefs are published by the heavy outlets, whose furniture runs long.
    boilerplate = furniture(items)
    heavy_sites = {item.site for item in items if item.kind == "neg:brief"}
    assert all(sum(len(line.split()) for line in boilerplate[s]) >= 150 for s in heavy_sites)


def test_templated_negatives_share_most_words_yet_are_distinct_stories() -> None:
    items = corpus()
    boilerplate = furniture(items)
    templated = [item for item in items if item.kind == "neg:template"]
    bodies = {
        item.id: words(
            "\n".join(line for line in item.text.splitlines() if line not in boilerplate[item.site])
        )
        for item in templated
    }
    best = []
    for item in templated:
        neighbours = [
            (len(bodies[item.id] & bodies[o.id]) / len(bodies[item.id] | bodies[o.id]), o)
            for o in templated
            if o.site == item.site and o is not item
        ]
        if not neighbours:
            continue
        similarity, neighbour = max(neighbours, key=lambda pair: pair[0])
        best.append(similarity)
        if similarity >= 0.5:
            assert neighbour.story != item.story
            assert neighbour.text != item.text
    # Most have a neighbour from the same outlet template sharing most of its words; the
    # rest are the only story of their category at their outlet.
    assert statistics.median(best) >= 0.5
    assert sum(b >= 0.5 for b in best) >= 0.7 * len(best)
    assert len({item.story for item in templated}) == len(templated)


def test_briefs_are_under_fifty_words_inside_longer_furniture() -> None:
    items = corpus()
    boilerplate = furniture(items)
    bodies: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.kind == "neg:brief" or item.kind.startswith("copy:brief"):
            body = [line for line in item.text.splitlines() if line not in boilerplate[item.site]]
            assert len(body) == 1
            assert len(body[0].split()) < 50
            assert len(item.text.split()) - len(body[0].split()) > 2 * len(body[0].split())
            bodies[item.story].add(body[0])
    # Copies of a brief carry its text; different briefs never share one.
    assert all(len(texts) == 1 for texts in bodies.values())
    assert len({next(iter(texts)) for texts in bodies.values()}) == len(bodies)
    copied = Counter(item.story for item in items if item.kind.startswith("copy:brief"))
    assert 0 < len(copied) < len(bodies)


def test_topic_negatives_reuse_the_vocabulary_of_an_original() -> None:
    items = corpus()
    boilerplate = furniture(items)
    wire = [words(item.text) for item in originals(items).values()]
    for item in items:
        if item.kind == "neg:topic":
            lines = item.text.splitlines()
            text = "\n".join(line for line in lines if line not in boilerplate[item.site])
            own = words(text)
            assert max(len(own & other) / len(own) for other in wire) >= 0.3


def test_synthetic_originals_read_like_news() -> None:
    items = corpus()
    for item in originals(items).values():
        text = item.text
        assert 150 <= len(text.split()) <= 900
        assert re.search(r"\d", text)  # figures
        assert "“" in text and "said" in text  # quotations and attributions
        assert len(set(text.splitlines())) == len(text.splitlines())
    # Varied: no two originals open alike.
    ledes = [item.text.splitlines()[0] for item in originals(items).values()]
    assert len(set(ledes)) == len(ledes)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_any_seed_gives_a_consistent_corpus(seed: int, stories: int) -> None:
    items = generate(seed, stories=stories)
    wire = originals(tuple(items))
    assert len(wire) == stories
    for item in items:
        assert item.text.strip() and item.title.strip()
        if family(item) in COPY_FAMILIES:
            assert item.story in wire or item.kind.startswith("copy:brief")


# Scale


def test_scale_gives_count_items_in_time_order_with_true_labels() -> None:
    items = list(generate_scale(2, 2500))
    assert len(items) == 2500
    assert len({i.id for i in items}) == len({i.url for i in items}) == 2500
    assert [i.published_at for i in items] == sorted(i.published_at for i in items)
    assert [i.run for i in items] == sorted(i.run for i in items)
    assert {i.run for i in items} == {0, 1, 2, 3, 4}
    cycles: dict[str, set[str]] = defaultdict(set)
    for item in items:
        base, _, cycle = item.story.rpartition(".")
        cycles[cycle].add(base)
    assert len(cycles) >= 2
    first, second = ([i for i in items if i.story.endswith(f".{c}")] for c in ("0", "1"))
    # A later cycle keeps the corpus's shape (copies stay copies of their original) ...
    for a, b in zip(first, second, strict=False):
        assert [len(w) for w in a.text.split()] == [len(w) for w in b.text.split()]
        assert a.kind == b.kind

    # ... and shares no 5-word shingle with the first, so its labels stay true.
    def shingles(batch: list[Item]) -> set[tuple[str, ...]]:
        found = set()
        for item in batch:
            tokens = item.text.split()
            found |= {tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4)}
        return found

    assert len(shingles(first) & shingles(second)) < 0.001 * len(shingles(second))


# Command line


def test_the_cli_writes_the_corpus_as_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    assert (
        dedup_corpus.main(["--seed", "3", "--stories", "10", "--out", str(out), "--synthetic"]) == 0
    )
    assert dedup_corpus.read_items(out) == generate(3, stories=10)
    row = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert row["published_at"].startswith("2026-11-2") and row["published_at"].endswith("Z")
    assert set(row) == {
        "id",
        "url",
        "site",
        "title",
        "text",
        "published_at",
        "story",
        "kind",
        "run",
    }
    scaled = tmp_path / "scale.jsonl"
    assert dedup_corpus.main(["--scale", "700", "--out", str(scaled), "--synthetic"]) == 0
    assert len(scaled.read_text(encoding="utf-8").splitlines()) == 700
    assert dedup_corpus.main(["--stories", "0", "--out", str(out), "--synthetic"]) == 1


# The shared corpora (when NEWSFLOW_CORPORA is set)


def test_corpus_texts_become_the_wire_originals(corpora: Path) -> None:
    sources = corpus_sources(corpora)
    assert len(sources) >= 50
    for text in sources:
        title, *body = text.splitlines()
        assert title and 150 <= len(" ".join(body).split()) <= 900
    items = generate(1, stories=len(sources) + 20, sources=sources)
    wire = originals(tuple(items))
    from_corpus = {item.text for item in wire.values()} & {
        "\n".join(text.splitlines()[1:]) for text in sources
    }
    assert len(from_corpus) == len(sources)  # every source once, synthetic ones after them
    kinds = {family(item) for item in items}
    assert {"copy", "lede", "truncated", "neg:topic", "neg:template", "neg:brief"} <= kinds
    report = evaluate(items, {item.id: item.story for item in items})
    assert report.ari == report.f1 == 1.0


# Evaluation


def make(*rows: tuple[str, str, str]) -> list[Item]:
    """Items from (id, true story, kind), one minute apart."""
    return [
        Item(
            id_,
            f"https://x.example/{id_}",
            "x.example",
            id_,
            id_,
            START + timedelta(minutes=i),
            story,
            kind,
            0,
        )
        for i, (id_, story, kind) in enumerate(rows)
    ]


def test_a_perfect_prediction_scores_one() -> None:
    items = corpus()
    report = evaluate(items, {item.id: f"p-{item.story}" for item in items})
    assert (report.precision, report.recall, report.f1, report.ari) == (1.0, 1.0, 1.0, 1.0)
    assert all(rate.hits == 0 for rate in report.false_merges.values())
    assert all(rate.share == 1.0 for rate in report.copy_recall.values())
    assert set(report.false_merges) == {"neg:brief", "neg:template", "neg:topic", "all"}
    assert {*EDITS, "lede", "truncated", "brief", "all"} <= set(report.copy_recall)


def test_one_story_for_everything_has_full_recall_and_low_precision() -> None:
    items = corpus()
    report = evaluate(items, {item.id: "everything" for item in items})
    assert report.recall == 1.0
    assert report.precision == report.true_pairs / dedup_eval.pairs(len(items)) < 0.01
    assert report.ari == 0.0
    assert all(rate.share == 1.0 for rate in report.false_merges.values())
    assert report.copy_recall["all"].share == 1.0


def test_singletons_have_no_recall_and_merge_nothing() -> None:
    items = corpus()
    for predicted in ({}, {item.id: item.id for item in items}):
        report = evaluate(items, predicted)
        assert report.recall == 0.0 and report.f1 == 0.0
        assert report.precision == 1.0  # no pair predicted, none wrongly
        assert report.ari == 0.0
        assert all(rate.hits == 0 and rate.total > 0 for rate in report.false_merges.values())
        assert all(rate.share == 0.0 for rate in report.copy_recall.values())
        assert report.unpredicted == (len(items) if not predicted else 0)


def test_ari_of_a_small_example_computed_by_hand() -> None:
    # Truth A = {1, 2, 3}, B = {4, 5, 6}; predicted X = {1, 2}, Y = {3, 4, 5, 6}.
    # Contingency: A∩X = 2, A∩Y = 1, B∩Y = 3.
    #   Σ C(n_ij, 2) = 1 + 0 + 3 = 4   (shared pairs)
    #   Σ C(a_i, 2)  = 3 + 3     = 6   (true pairs)
    #   Σ C(b_j, 2)  = 1 + 6     = 7   (predicted pairs)
    #   C(6, 2) = 15, expected index E = 6 * 7 / 15 = 2.8, maximum = (6 + 7) / 2 = 6.5
    #   ARI = (4 - 2.8) / (6.5 - 2.8) = 1.2 / 3.7 = 12/37
    #   precision = 4/7, recall = 4/6, F1 = 2 * (4/7) * (2/3) / (4/7 + 2/3) = 8/13
    items = make(*((str(i), "A" if i <= 3 else "B", "original") for i in range(1, 7)))
    predicted = {"1": "X", "2": "X", "3": "Y", "4": "Y", "5": "Y", "6": "Y"}
    report = evaluate(items, predicted)
    assert (report.shared_pairs, report.true_pairs, report.predicted_pairs) == (4, 6, 7)
    assert report.ari == pytest.approx(float(Fraction(12, 37)))
    assert report.precision == pytest.approx(4 / 7)
    assert report.recall == pytest.approx(2 / 3)
    assert report.f1 == pytest.approx(8 / 13)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=0, max_size=14))
def test_scores_equal_counting_every_pair(labels: list[tuple[int, int]]) -> None:
    items = make(*((str(i), f"t{t}", "original") for i, (t, _) in enumerate(labels)))
    predicted = {str(i): f"p{p}" for i, (_, p) in enumerate(labels)}
    report = evaluate(items, predicted)
    # Brute force: every pair, split by whether each partition puts it together.
    both = true_only = predicted_only = neither = 0
    for (t1, p1), (t2, p2) in itertools.combinations(labels, 2):
        same_true, same_predicted = t1 == t2, p1 == p2
        both += same_true and same_predicted
        true_only += same_true and not same_predicted
        predicted_only += same_predicted and not same_true
        neither += not same_true and not same_predicted
    assert report.shared_pairs == both
    assert report.true_pairs == both + true_only
    assert report.predicted_pairs == both + predicted_only
    # The pair-counting form of the same index (Steinley 2004, eq. 4).
    a, b, c, d = both, true_only, predicted_only, neither
    denominator = (a + b) * (b + d) + (a + c) * (c + d)
    expected = 2 * (a * d - b * c) / denominator if denominator else 1.0
    assert report.ari == pytest.approx(expected)
    # Symmetric in its two partitions.
    swapped = make(*((str(i), f"p{p}", "original") for i, (_, p) in enumerate(labels)))
    assert evaluate(swapped, {str(i): f"t{t}" for i, (t, _) in enumerate(labels)}).ari == (
        pytest.approx(report.ari)
    )


def test_adjusted_rand_of_equal_trivial_partitions_is_one() -> None:
    assert adjusted_rand([1, 1, 1], [1, 1, 1], [1, 1, 1]) == 1.0  # all singletons
    assert adjusted_rand([3], [3], [3]) == 1.0  # one story
    assert adjusted_rand([], [], []) == 1.0


def test_false_merges_count_hard_negatives_put_with_another_story() -> None:
    items = make(
        ("o", "s1", "original"),
        ("c", "s1", "copy:trim+number"),
        ("h", "s1", "copy:headline"),
        ("t1", "s2", "neg:template"),
        ("t2", "s3", "neg:template"),
        ("b1", "s4", "neg:brief"),
        ("b2", "s4", "copy:brief+boilerplate"),
        ("l", "s1", "lede"),
    )
    predicted = {"o": "A", "c": "A", "h": "H", "t1": "T", "t2": "T", "b1": "B", "b2": "B", "l": "A"}
    report = evaluate(items, predicted)
    # Two templated stories merged; the brief joined only its own copy.
    assert report.false_merges == {
        "neg:brief": Rate(0, 1),
        "neg:template": Rate(2, 2),
        "all": Rate(2, 3),
    }
    assert report.copy_recall == {
        "headline": Rate(0, 1),
        "boilerplate": Rate(1, 1),
        "trim": Rate(1, 1),
        "number": Rate(1, 1),
        "brief": Rate(1, 1),
        "lede": Rate(1, 1),
        "all": Rate(3, 4),
    }
    # A templated story put into a wire story is merged; the one left alone no longer is.
    predicted["t1"] = "A"
    merged = evaluate(items, predicted)
    assert merged.false_merges["neg:template"] == Rate(1, 2)
    assert merged.copy_recall == report.copy_recall


def test_the_eval_cli_prints_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = generate(4, stories=8)
    corpus_file, predictions = tmp_path / "corpus.jsonl", tmp_path / "predictions.jsonl"
    dedup_corpus.write_items(items, corpus_file)
    predictions.write_text(
        "".join(
            json.dumps({"id": item.id, "story_id": item.story, "score": 0.9}) + "\n"
            for item in items
        ),
        encoding="utf-8",
    )
    assert dedup_eval.main([str(corpus_file), str(predictions)]) == 0
    table = capsys.readouterr().out
    assert "pairwise precision 1.0000  recall 1.0000  F1 1.0000" in table
    assert "adjusted Rand index 1.0000" in table and "neg:template" in table
    assert dedup_eval.main([str(corpus_file), str(predictions), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ari"] == 1.0
    predictions.write_text('{"id": "n000001"}\n', encoding="utf-8")
    assert dedup_eval.main([str(corpus_file), str(predictions)]) == 1
    assert capsys.readouterr().err.startswith("error: eval: ")
