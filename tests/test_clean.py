"""normalizer.clean and its helpers: pandas and polars round trips, distinct pairs, I/O building blocks."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from gazetteer import files
from normalizer import ColumnError, HintError, InputFileError, clean
from normalizer.tables import formats as io
from normalizer.tables import pool as batch
from normalizer.tables.answers import SUFFIXES, output_names
from normalizer.tables.clues import ClueColumns
from normalizer.tables.frames import clean_polars, resolve_expr, resolve_series
from normalizer.tables.pool import BatchResolver
from normalizer.tables.review import REVIEW_COLUMNS

LYSYCHANSK = "UA44120050010021900"
KHARKIV = "UA63120270010096107"
KHARKIV_OBLAST = "UA63000000000041885"

ROWS = {
    "id": ["1", "2", "3", "4", "5", "6", "7"],
    "place": ["Lisichansk", "Lysychansk", "Лисичанськ", "Іванівка", "Kharkiv", None, "Lisichansk"],
    "region": ["Луганська", None, "Luhansk Oblast", "Kharkiv Oblast", "UA-63", None, "Луганська"],
}


def test_pandas_round_trip(normalizer) -> None:
    df = pd.DataFrame(ROWS, index=[10, 11, 12, 13, 14, 15, 16])
    before = df.copy()
    out = clean(df, column="place", normalizer=normalizer)
    assert isinstance(out, pd.DataFrame)
    pd.testing.assert_frame_equal(df, before)  # the input is not modified
    assert list(out.columns) == ["id", "place", *output_names("place"), "region"]
    assert list(out.index) == list(df.index)
    pd.testing.assert_frame_equal(out[list(df.columns)], df)
    assert set(out.loc[[10, 11, 12, 16], "place_id"]) == {LYSYCHANSK}
    assert (out.loc[[10, 11, 12], "place_status"] == "matched").all()
    assert out.loc[10, "place_name_uk"] == "Лисичанськ" and out.loc[10, "place_kind"] == "city"
    assert out.loc[13, "place_status"] == "ambiguous" and pd.isna(out.loc[13, "place_id"])
    assert out.loc[13, "place_score"] > 0.8
    assert out.loc[15, "place_status"] == "unmatched" and out.loc[15, "place_score"] == 0.0
    assert out["place_score"].dtype == "float64"


def test_declared_dtypes_in_every_engine(normalizer) -> None:
    """Strings are nullable Arrow strings (pandas) or String (polars), score, lat and lon float64, whatever the
    data: an empty frame, a frame of blanks and a full one agree (a Dask meta is an empty frame)."""
    text = pd.StringDtype("pyarrow")
    numbers = ("score", "lat", "lon")
    expected = {f"place_{s}": "float64" if s in numbers else text for s in SUFFIXES}
    for rows in (ROWS["place"], [None, None], []):
        out = clean(pd.DataFrame({"place": pd.Series(rows, dtype=object)}), column="place", normalizer=normalizer)
        assert {name: out[name].dtype for name in output_names("place")} == expected, rows
    series = resolve_series(pd.Series(["Kharkiv", None]), normalizer=normalizer)
    assert dict(series.dtypes) == {s: "float64" if s in numbers else text for s in SUFFIXES}
    polars_expected = {f"place_{s}": pl.Float64 if s in numbers else pl.String for s in SUFFIXES}
    for rows in (ROWS["place"], [None, None], []):
        frame = pl.DataFrame({"place": rows}, schema={"place": pl.String})
        for data in (frame, frame.lazy()):
            out = clean(data, column="place", normalizer=normalizer)
            schema = out.collect_schema() if isinstance(out, pl.LazyFrame) else out.schema
            assert {name: schema[name] for name in output_names("place")} == polars_expected, rows
    struct = pl.DataFrame({"p": ["Kharkiv"]}).select(resolve_expr(pl.col("p"), normalizer=normalizer)).unnest("p")
    assert struct.schema["score"] == pl.Float64 and struct.schema["id"] == pl.String
    # the strings survive Arrow and Parquet as strings
    import pyarrow as pa

    table = pa.Table.from_pandas(clean(pd.DataFrame({"place": ["Kharkiv", None]}), column="place",
                                       normalizer=normalizer))
    assert table.schema.field("place_id").type in (pa.string(), pa.large_string())
    assert table.schema.field("place_score").type == pa.float64()


def test_polars_round_trip_and_oblast_column(normalizer) -> None:
    df = pl.DataFrame(ROWS)
    out = clean(df, column=["place"], oblast_column="region", normalizer=normalizer)
    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["id", "place", *output_names("place"), "region"]
    assert out.select(df.columns).equals(df)
    assert out["place_id"].to_list()[:3] == [LYSYCHANSK] * 3
    assert out["place_oblast_id"][4] == KHARKIV_OBLAST
    assert out["place_status"][5] == "unmatched"
    # with its oblast, Іванівка can only be one of Kharkiv oblast's villages
    if out["place_status"][3] == "matched":
        assert out["place_oblast_id"][3] == KHARKIV_OBLAST
    lazy = clean(df.lazy(), column="place", normalizer=normalizer)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect()["place_id"][0] == LYSYCHANSK


def test_non_text_cells_are_unmatched(normalizer) -> None:
    df = pd.DataFrame({"place": ["Kharkiv", float("nan"), None, 42, ["Kyiv"], "", "   ", "\ud800"]})
    out = clean(df, column="place", normalizer=normalizer)
    assert out["place_id"][0] == KHARKIV
    assert list(out["place_status"][1:]) == ["unmatched"] * 7
    assert list(out["place_score"][1:]) == [0.0] * 7
    ints = pl.DataFrame({"place": [1, 2, None]})
    assert clean(ints, column="place", normalizer=normalizer)["place_status"].to_list() == ["unmatched"] * 3
    categorical = pl.DataFrame({"place": ["Kharkiv", None, "Kharkiv"]}, schema={"place": pl.Categorical})
    out = clean(categorical, column="place", normalizer=normalizer)
    assert out["place_id"].to_list() == [KHARKIV, None, KHARKIV]
    assert out["place"].dtype == pl.Categorical


def test_several_columns_and_fixed_oblast(normalizer) -> None:
    df = pd.DataFrame({"from": ["Kharkiv", "Lisichansk"], "to": ["Lysychansk", "Kharkov"]})
    out = clean(df, column=["from", "to"], normalizer=normalizer)
    assert list(out.columns) == ["from", *output_names("from"), "to", *output_names("to")]
    assert list(out["from_id"]) == [KHARKIV, LYSYCHANSK]
    assert list(out["to_id"]) == [LYSYCHANSK, KHARKIV]
    fixed = clean(pd.DataFrame({"p": ["Іванівка"]}), column="p", oblast="Kharkiv oblast", normalizer=normalizer)
    assert fixed["p_status"][0] in ("matched", "ambiguous")
    with pytest.raises(HintError):
        clean(df, column="from", oblast="Atlantis", normalizer=normalizer)
    with pytest.raises(HintError):
        clean(df, column="from", kind="planet", normalizer=normalizer)
    with pytest.raises(ValueError):
        clean(df, column="from", oblast="Kharkiv", oblast_column="to", normalizer=normalizer)


def test_min_score_demotes_matches(normalizer) -> None:
    df = pl.DataFrame({"p": ["Lisichansk", "Lysychansk"]})
    plain = clean(df, column="p", normalizer=normalizer)
    strict = clean(df, column="p", min_score=1.0, normalizer=normalizer)
    for row in range(2):
        if plain["p_score"][row] < 1.0:
            assert strict["p_status"][row] == "ambiguous" and strict["p_id"][row] is None
        else:
            assert strict["p_status"][row] == "matched"
    with pytest.raises(ValueError):
        clean(df, column="p", min_score=2, normalizer=normalizer)


def test_column_errors(normalizer) -> None:
    df = pd.DataFrame({"place": ["Kyiv"], "place_id": ["x"], "other": ["y"]})
    with pytest.raises(ColumnError, match="place_id"):
        clean(df, column="place", normalizer=normalizer)
    with pytest.raises(ColumnError, match="'other'"):
        clean(df, column="nowhere", normalizer=normalizer)
    with pytest.raises(ColumnError):
        clean(pl.DataFrame({"a": ["Kyiv"]}), column=["a", "a"], normalizer=normalizer)
    with pytest.raises(ColumnError):
        clean(pl.DataFrame({"a": ["Kyiv"]}), column="a", oblast_column="region", normalizer=normalizer)
    with pytest.raises(ColumnError, match="reserved"):
        clean(pl.DataFrame({"a": ["Kyiv"], "__uanorm_key__": [1]}), column="a", normalizer=normalizer)
    with pytest.raises(TypeError):
        clean([["Kyiv"]], column="a", normalizer=normalizer)


def test_each_distinct_pair_resolved_once(normalizer, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str | None]] = []
    real = batch.answer_for

    def counting(norm, value, hint, kind):
        calls.append((value, hint))
        return real(norm, value, hint, kind)

    monkeypatch.setattr(batch, "answer_for", counting)
    df = pl.DataFrame({"p": ["Kharkiv"] * 500 + ["Lisichansk"] * 500,
                       "o": ["Kharkiv Oblast", "Харківська область", "UA-63", None] * 250})
    clean(df, column="p", oblast_column="o", normalizer=normalizer)
    # three spellings of one oblast are one hint: Kharkiv is resolved with it and without any
    assert sorted(calls, key=str) == sorted({(v, h) for v, h in calls}, key=str)
    assert len(calls) == 4
    assert {h for _v, h in calls} == {KHARKIV_OBLAST, None}


def test_clue_columns_resolve_each_distinct_context_once(normalizer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spellings of one raion, and one point written two ways, are one context: the distinct work is the
    distinct (value, units, point), not the distinct cells."""
    calls: list[tuple[str, object]] = []
    real = batch.answer_for

    def counting(norm, value, hint, kind):
        calls.append((value, hint))
        return real(norm, value, hint, kind)

    monkeypatch.setattr(batch, "answer_for", counting)
    df = pl.DataFrame({"p": ["Іванівка"] * 600,
                       "o": ["Харківська", "Kharkiv Oblast", "UA-63"] * 200,
                       "r": ["Чугуївський", "Chuhuivskyi raion", "Чугуївського району", "Чугуївський р-н"] * 150,
                       "lat": ["49.69", "49,69", "", ""] * 150, "lon": ["37.05", "37,05", "", ""] * 150})
    out = clean(df, column="p", oblast_column="o", raion_column="r", lat_column="lat", lon_column="lon",
                normalizer=normalizer)
    assert len(calls) == 2  # with the point (a decimal point or comma) and without
    assert {h.raion for _v, h in calls} == {"UA63140000000096278|koatuu:6325400000"}  # today's and 2019's
    assert {h.oblast for _v, h in calls} == {KHARKIV_OBLAST}
    with_point = out.filter(pl.col("lat") != "")
    assert with_point["p_id"].unique().to_list() == ["UA63140150050055542"]  # the namesake of the raion near it
    assert out.filter(pl.col("lat") == "")["p_status"].unique().to_list() == ["ambiguous"]


def test_pool_gives_the_same_answers(normalizer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "POOL_MIN", 2)
    monkeypatch.setattr(batch, "CHUNK_MAX", 3)
    pairs = [(v, o) for v in ("Kharkiv", "Lisichansk", "Іванівка", "Odesa", "Kiev", "zzzz") for o in
             (None, "Kharkiv Oblast", "Луганська")]
    alone = BatchResolver(normalizer).answers(pairs)
    with BatchResolver(normalizer, workers=2) as pooled:
        assert pooled.answers(pairs) == alone


def test_resolve_series_and_expression(normalizer) -> None:
    series = pd.Series(["Lisichansk", None, "Іванівка"], index=["a", "b", "c"])
    fields = resolve_series(series, normalizer=normalizer)
    assert list(fields.columns) == list(SUFFIXES) and list(fields.index) == ["a", "b", "c"]
    assert fields.loc["a", "id"] == LYSYCHANSK and fields.loc["b", "status"] == "unmatched"
    polars_fields = resolve_series(pl.Series(["Kharkiv"]), normalizer=normalizer)
    assert isinstance(polars_fields, pl.DataFrame) and polars_fields["id"][0] == KHARKIV
    df = pl.DataFrame({"p": ["Lisichansk", "Kharkiv", None], "o": ["Луганська", None, None]})
    out = df.with_columns(resolve_expr(pl.col("p"), normalizer=normalizer).alias("m")).unnest("m")
    assert out["id"].to_list() == [LYSYCHANSK, KHARKIV, None]
    hinted = df.select(resolve_expr(pl.col("p"), oblast=pl.col("o"), normalizer=normalizer).struct.field("status"))
    assert hinted["status"].to_list() == ["matched", "matched", "unmatched"]


# -- building blocks -----------------------------------------------------------------------------------


def test_encoding_detection() -> None:
    text = "назва,область\nЛисичанськ,Луганська\n"
    assert io.sniff_encoding(text.encode("utf-8"), name="t") == "utf-8"
    assert io.sniff_encoding(text.encode("cp1251"), name="t") == "cp1251"
    layout = io.detect_layout(codecs.BOM_UTF8 + text.encode(), name="t", fmt="csv")
    assert (layout.encoding, layout.bom) == ("utf-8", True)
    with pytest.raises(InputFileError, match="--encoding"):
        io.sniff_encoding("Müller,Größe,café\n".encode("cp1252"), name="t")
    with pytest.raises(InputFileError, match="UTF-16"):
        io.detect_layout(text.encode("utf-16"), name="t", fmt="csv")
    assert io.detect_layout(b"a;b\r\n1;2\r\n", name="t", fmt="csv").newline == "\r\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_sniffing(delimiter: str) -> None:
    text = delimiter.join(["id", "location", "note"]) + "\n" + delimiter.join(["1", "Kyiv", '"a, b; c"']) + "\n"
    assert io.sniff_delimiter(text) == delimiter


def test_json_members_keep_offsets() -> None:
    line = '{"a": 1.50, "loc" : "Kyiv",  "n": {"x": [1, 2]}, "e": null}'
    members, close = io.json_members(line)
    assert [m[0] for m in members] == ["a", "loc", "n", "e"]
    _key, value, start, end = members[1]
    assert value == "Kyiv" and line[start:end] == '"Kyiv"' and line[close] == "}"
    assert io.json_members("{}") == ([], 1)
    for bad in ("[1, 2]", '{"a": 1', '{"a" 1}', '{"a": 1} x', "nope"):
        with pytest.raises(ValueError):
            io.json_members(bad)


def test_atomic_outputs_leave_nothing_on_error(tmp_path: Path) -> None:
    targets = [tmp_path / "out.csv", tmp_path / "review.csv"]
    with pytest.raises(RuntimeError), files.atomic_outputs(targets) as outputs:
        outputs.temp(targets[0]).write_text("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    with files.atomic_outputs(targets) as outputs:
        for target in targets:
            outputs.temp(target).write_text("done")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "review.csv"]
    assert (tmp_path / "out.csv").stat().st_mode & 0o444 == 0o444 & ~files._umask()  # not mkstemp's 0600
    with pytest.raises(files.OutputError), files.atomic_outputs([tmp_path / "missing" / "out.csv"]):
        pass


def test_review_columns_are_the_import_format() -> None:
    assert REVIEW_COLUMNS[:11] == ("column", "value", "oblast", "oblast_id", "raion", "raion_id", "hromada",
                                   "point", "count", "status", "why")
    assert REVIEW_COLUMNS[-1] == "chosen_id" and len(REVIEW_COLUMNS) == 11 + 5 * 9 + 1
    assert {"candidate_3_score", "candidate_5_map", "candidate_1_population"} <= set(REVIEW_COLUMNS)


def test_a_raion_column_of_before_2020_reads_shared_names_as_of_then(normalizer) -> None:
    """Vinnytskyi raion of 2019 and of today are other territories, each with its Олександрівка. A column whose
    other names exist only before 2020 (Барський, Тиврівський) is of then: its Вінницький is the old raion.
    Without such names the era is unknown and the namesakes stay undecided."""
    old = pl.DataFrame({"p": ["Олександрівка", "Ксаверівка", "Іванівці", "Сутиски"], "o": ["Вінницька"] * 4,
                        "r": ["Вінницький район", "Вінницький район", "Барський район", "Тиврівський район"]})
    out = clean(old, column="p", oblast_column="o", raion_column="r", normalizer=normalizer)
    assert out["p_status"].to_list() == ["matched"] * 4
    assert out["p_id"].to_list()[:2] == ["UA05020050130086196", "UA05020310050071415"]  # of the old raion
    unknown = clean(old.head(2), column="p", oblast_column="o", raion_column="r", normalizer=normalizer)
    assert unknown["p_status"].to_list() == ["ambiguous", "ambiguous"]
    with BatchResolver(normalizer) as resolver:
        clean_polars(old, ["p"], resolver, clues=ClueColumns(oblast_column="o", raion_column="r"))
        assert resolver.raion_era == "before 2020"
