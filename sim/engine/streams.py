"""Independent random streams for the parts of one replication (common random numbers).

Every facility, convoy, fleet, service (its speeds, in open water and in ice), escort, the ice year types and
each itinerary's empty-return coin draw from a stream of their own, derived from the replication's seed and the
part's kind and index (not from the order of draws). Two runs of the same replication that differ only in route
shares therefore give each part the same random numbers: the differences between route-choice iterations, or
between sensitivity points, come from the change itself, not from streams shifted by a different number of
earlier draws. A part shared by several routes (a port, a liner) still hands its draws out in arrival order, so
more cargo on one route moves the draws another route's cargo meets there: that is the sharing itself.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Streams"]

_FACILITY, _CONVOY, _FLEET, _SERVICE, _ESCORT, _ICE, _COIN = range(7)
_TAG = 0x5EED  # keeps these keys apart from SeedSequence.spawn's children of the replication's sequence


class Streams:
    """The streams of one replication, from the SeedSequence its Generator was made with."""

    def __init__(self, rng: np.random.Generator) -> None:
        seq = rng.bit_generator.seed_seq
        assert isinstance(seq, np.random.SeedSequence)  # numpy.random.default_rng always makes one
        self.entropy = seq.entropy
        self.key = tuple(seq.spawn_key)

    def _of(self, kind: int, index: int = 0) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.entropy, spawn_key=(*self.key, _TAG, kind, index)))

    def facility(self, index: int) -> np.random.Generator:
        """The stream of facility ``index``."""
        return self._of(_FACILITY, index)

    def convoy(self, index: int) -> np.random.Generator:
        """The stream of canal convoy ``index``."""
        return self._of(_CONVOY, index)

    def fleet(self, index: int) -> np.random.Generator:
        """The stream of fleet ``index``."""
        return self._of(_FLEET, index)

    def service(self, index: int) -> np.random.Generator:
        """The stream of service direction ``index``."""
        return self._of(_SERVICE, index)

    def escort(self, index: int) -> np.random.Generator:
        """The stream of icebreaker escort ``index``."""
        return self._of(_ESCORT, index)

    def ice(self) -> np.random.Generator:
        """The stream of the ice year types (each service draws its ships' ice speeds from its own stream)."""
        return self._of(_ICE)

    def coin(self, itinerary: int) -> np.random.Generator:
        """The stream of the empty-return draws of the loads delivered on ``itinerary``."""
        return self._of(_COIN, itinerary)
