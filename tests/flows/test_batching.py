from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flows.ingest import batches_by_domain


def test_a_host_never_straddles_two_batches() -> None:
    items = (
        [f"a/{i}" for i in range(7)] + [f"b/{i}" for i in range(2)] + [f"c/{i}" for i in range(3)]
    )
    result = batches_by_domain(items, 4, lambda x: x.split("/")[0])
    assert result == [[f"a/{i}" for i in range(7)], ["c/0", "c/1", "c/2"], ["b/0", "b/1"]]


@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 10**6)), unique=True),
    st.integers(1, 20),
)
def test_batches_keep_every_item_once_and_hosts_whole(
    items: list[tuple[str, int]], size: int
) -> None:
    result = batches_by_domain(items, size, lambda x: x[0])
    flat = [item for batch in result for item in batch]
    assert sorted(flat) == sorted(items)
    hosts_seen: set[str] = set()
    for batch in result:
        hosts = {h for h, _ in batch}
        assert not hosts & hosts_seen
        hosts_seen |= hosts
        assert len(batch) <= size or len(hosts) == 1


def test_rounds_claim_until_nothing_is_left_or_the_limit() -> None:
    from flows.ingest import in_rounds
    from storage.records import Claimed

    backlog = list(range(10))
    asked: list[int] = []

    def claim(size: int) -> Claimed[int]:
        asked.append(size)
        taken, backlog[:] = backlog[:size], backlog[size:]
        return Claimed(taken, held_elsewhere=len(asked))

    done, held = in_rounds(claim, lambda items: [-i for i in items], round_size=4)
    assert done == [-i for i in range(10)]
    assert asked == [4, 4, 4, 4]  # the last claim found nothing and ended the rounds
    assert held == 4  # the most seen held elsewhere at any claim

    backlog[:] = range(10)
    asked.clear()
    done, _ = in_rounds(claim, lambda items: items, round_size=4, limit=6)
    assert (done, asked) == ([0, 1, 2, 3, 4, 5], [4, 2])
