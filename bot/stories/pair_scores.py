"""The pair scores a `StoryIndex` keeps while its term weights stay the same (pure).

`StoryIndex.settle` re-clusters a neighbourhood after every batch, and most of its pairs were
scored by the batch before or by the placement of its newest member. A placement reads vetoes
only in the stories it could join: its other scores are kept as scores before the vetoes, and
the veto is read when the re-clustering asks for the pair. Keeping a placement's scores for the
pair the other way round needs the pair score symmetric to the last bit (`similarity._score`).
"""

from __future__ import annotations

from collections.abc import Sequence

Scored = Sequence[tuple[int, float]]  # (member, score) pairs of one placement


def pair_key(i: int, j: int) -> int:
    """One int for the unordered pair of members `i` and `j`."""
    return i << 32 | j if i < j else j << 32 | i


class PairScores:
    """Scores by `pair_key`, dropped whenever the weights' version changes."""

    __slots__ = ("_placed", "_scores", "_unvetoed", "_version")

    def __init__(self) -> None:
        self._scores: dict[int, float] = {}  # the pair's score (negative: vetoed)
        self._unvetoed: dict[int, float] = {}  # its score, its vetoes not read yet
        self._version = -1
        self._placed: tuple[int, Scored, Scored] = (-1, (), ())  # the last placement's

    def current(self, version: int) -> dict[int, float]:
        """The scores for weights of `version` (none kept if they were of another)."""
        if version != self._version:
            self._scores.clear()
            self._unvetoed.clear()
            self._version = version
        return self._scores

    def unvetoed(self, key: int) -> float | None:
        """A placement's score for the pair before its vetoes were read, if it kept one."""
        return self._unvetoed.pop(key, None)

    def placed(self, version: int, known: Scored, unvetoed: Scored) -> None:
        """What a placement scored: pairs whose vetoes it read, and pairs whose it did not."""
        self._placed = (version, known, unvetoed)

    def keep_placed(self, index: int, version: int) -> None:
        """Keep the last placement's scores for the member it placed, now at `index`, if the
        weights are still those it scored with."""
        placed, known, unvetoed = self._placed
        self._placed = (-1, (), ())
        if placed != version:
            return
        scores = self.current(version)
        for i, score in known:
            scores[pair_key(i, index)] = score
        for i, score in unvetoed:
            self._unvetoed[pair_key(i, index)] = score
