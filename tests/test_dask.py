"""normalizer.dask on a local cluster of two worker processes: same answers as pandas, per-worker matchers."""

from __future__ import annotations

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")

from normalizer import clean
from normalizer.tables.answers import output_names

PLACES = ["Lisichansk", "Лисичанськ", "Іванівка", "Kharkov", None, "Odessa", "Kiev", "zzqxw", "Bakhmut", "Donetsk"]
REGIONS = ["Луганська", None, "Kharkiv Oblast", None, None, "UA-51", None, None, "Donetska oblast", None]


@pytest.fixture(scope="module")
def client(home):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_clean_matches_pandas(client, home, normalizer) -> None:
    import normalizer.dask as ndask

    frame = pd.DataFrame({"n": [str(i) for i in range(200)], "place": PLACES * 20, "region": REGIONS * 20})
    ddf = dd.from_pandas(frame, npartitions=6)
    lazy = ndask.clean(ddf, column="place", oblast_column="region", home=home)
    assert list(lazy.columns) == ["n", "place", *output_names("place"), "region"]
    result = lazy.compute().sort_index()
    expected = clean(frame, column="place", oblast_column="region", normalizer=normalizer)
    assert len(result) == 200
    for column in output_names("place"):
        assert [None if pd.isna(v) else v for v in result[column]] == \
               [None if pd.isna(v) else v for v in expected[column]], column
    assert result["place_id"].iloc[0] == "UA44120050010021900"
    # every worker process opened its own matcher on the given home
    homes = client.run(ndask.prepare, str(home))
    assert len(homes) == 2 and set(homes.values()) == {str(home)}
