"""normalizer.dask on a local cluster of two worker processes: same answers as pandas, per-worker matchers."""

from __future__ import annotations

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")

from normalizer import clean
from normalizer.tables.answers import SUFFIXES, output_names

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


def test_dask_meta_declares_the_dtypes(home) -> None:
    """The lazy frame's meta has the dtypes the partitions come back with (strings, float64 score)."""
    import normalizer.dask as ndask

    ddf = dd.from_pandas(pd.DataFrame({"place": PLACES, "region": REGIONS}), npartitions=2)
    lazy = ndask.clean(ddf, column="place", home=home)
    text = pd.StringDtype("pyarrow")
    assert {name: lazy.dtypes[name] for name in output_names("place")} == \
        {f"place_{s}": "float64" if s in ("score", "lat", "lon") else text for s in SUFFIXES}


def test_readme_example_writes_parquet_and_csv(client, home, tmp_path) -> None:
    """README's Dask example on a two-worker LocalCluster: read_csv -> clean -> to_parquet (read back whole),
    and to_csv and compute give the same answers."""
    import normalizer.dask as ndask

    events = pd.DataFrame({"n": [str(i) for i in range(100)], "location": PLACES * 10,
                           "oblast": [r or "" for r in REGIONS] * 10})
    events[:50].to_csv(tmp_path / "events-1.csv", index=False)
    events[50:].to_csv(tmp_path / "events-2.csv", index=False)
    ddf = dd.read_csv(str(tmp_path / "events-*.csv"), dtype=str, keep_default_na=False)
    assert ddf.npartitions == 2
    cleaned = ndask.clean(ddf, column="location", oblast_column="oblast", home=home)
    cleaned.to_parquet(str(tmp_path / "events-clean"))
    back = dd.read_parquet(str(tmp_path / "events-clean")).compute()
    computed = cleaned.compute()
    assert len(back) == len(computed) == 100
    for name in output_names("location"):
        assert back[name].dtype == computed[name].dtype, name
        assert [None if pd.isna(v) else v for v in back[name]] == [None if pd.isna(v) else v for v in computed[name]]
    assert back["location_score"].dtype == "float64"
    assert back.loc[back["location"] == "Lisichansk", "location_id"].iloc[0] == "UA44120050010021900"
    cleaned.to_csv(str(tmp_path / "csv" / "part-*.csv"), index=False)
    written = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((tmp_path / "csv").iterdir()))
    assert len(written) == 100 and set(written["location_status"]) <= {"matched", "ambiguous", "unmatched"}
