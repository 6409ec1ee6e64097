"""The LSH buckets offer exactly the pieces that share a band with a new one, however many
pieces came before (the sorted arrays, their directory, and the keys still waiting to be
merged), each with the number of bands it shares."""

from __future__ import annotations

from collections import Counter

import numpy as np

from monitor.stories.bands import BANDS, FLUSH, BandIndex, band_keys
from monitor.stories.sketch import NUM_PERM


def test_a_query_finds_every_row_sharing_a_band_and_counts_the_bands() -> None:
    rng = np.random.default_rng(3)
    # small values, as MinHash minima are: many pieces share some bands by chance
    sigs = rng.integers(0, 40, (FLUSH + 700, NUM_PERM), dtype=np.uint32)
    keys = band_keys(sigs)
    index = BandIndex()
    index.add_many(np.arange(300, dtype=np.int64), keys[:300])  # a restart's read-back
    for row in range(300, len(sigs)):  # then pieces one by one, past one merge
        index.add(row, keys[row])
    for probe in (0, 299, 300, FLUSH + 250, len(sigs) - 1):
        rows, bands = index.query(keys[probe])
        expected = Counter(
            int(r)
            for band in range(BANDS)
            for r in np.flatnonzero(keys[:, band] == keys[probe, band])
        )
        assert dict(zip(rows.tolist(), bands.tolist(), strict=True)) == expected
        assert expected[probe] == BANDS  # a row shares all its bands with itself


def test_an_empty_index_offers_nothing() -> None:
    rows, bands = BandIndex().query(band_keys(np.zeros((1, NUM_PERM), np.uint32))[0])
    assert len(rows) == 0 and len(bands) == 0
