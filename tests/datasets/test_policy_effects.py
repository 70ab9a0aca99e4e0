"""D1 settings change what the loader writes: birthday/date granularity, tighter column actions."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from datasets.load import connect_release, load_release
from policies import load_policy
from tests.datasets.conftest import decrypted


def test_policy_granularity_and_tightening(tiny_source, settings):
    p = load_policy()
    columns = {t: dict(cols) for t, cols in p.data.columns.items()}
    columns.setdefault("H_NHI_OPDTE", {})["CITY"] = "drop"
    # the policy is frozen: a changed policy is a copy
    p = p.model_copy(update={"data": p.data.model_copy(update={
        "birthday_granularity": "year", "date_granularity": "month", "columns": columns,
        "free_text_scrub": False})})
    load_release(tiny_source, "G1", settings, policy=p)
    con = connect_release("G1", settings)
    cols = [r[0] for r in con.execute("DESCRIBE H_NHI_OPDTE").fetchall()]
    assert "CITY" not in cols and "CHIEF_COMPLAINT" not in cols and "NAME" not in cols
    bdays = {r[0] for r in con.execute("SELECT DISTINCT ID_BIRTHDAY FROM H_NHI_OPDTE").fetchall()}
    assert bdays and all(len(b) == 4 for b in bdays)
    fdates = {r[0] for r in con.execute("SELECT DISTINCT FUNC_DATE FROM H_NHI_OPDTE").fetchall()}
    assert all(isinstance(d, str) and len(d) == 6 for d in fdates)
    dic = {r[0]: r[1] for r in con.execute("SELECT column_name, warehouse_type FROM _dictionary "
                                            "WHERE family = 'H_NHI_OPDTE'").fetchall()}
    assert dic["CITY"] is None and dic["ID"] == "VARCHAR" and dic["FUNC_DATE"] == "VARCHAR"


def test_default_policy_output_types(tiny_source, settings):
    rep = load_release(tiny_source, "G2", settings)
    f = next((settings.warehouse_dir / "releases" / "G2" / "data" / "H_NHI_OPDTE").rglob("*.parquet"))
    schema = decrypted(f, settings).schema
    assert str(schema.field("FUNC_DATE").type) == "date32[day]"
    assert str(schema.field("T_DOT").type) == "int64"
    assert "NAME" not in schema.names and "TEL" not in schema.names and "ADDRESS" not in schema.names
    con = connect_release("G2", settings)
    assert all(len(b) == 6 for (b,) in con.execute("SELECT DISTINCT ID_BIRTHDAY FROM H_NHI_OPDTE").fetchall())
    # a year can be read alone: the partition directory holds only that year's rows
    y = settings.warehouse_dir / "releases" / "G2" / "data" / "H_NHI_OPDTE" / "year=2020"
    t = pa.concat_tables(decrypted(p, settings) for p in sorted(y.glob("*.parquet")))
    assert t.num_rows > 0 and {v[:4] for v in t.column("FEE_YM").to_pylist()} == {"2020"}
    assert rep.rows_quarantined == 0


def test_dicom_masking_off_means_no_images_are_released(tmp_path, settings):
    """D1: images are released only with burned-in text masked; turning masking off in the
    policy withholds them (file column and DICOM files), it never releases them unmasked."""
    from datasets.extract import build_extract
    from datasets.extract.builder import ExtractError
    from datasets.synthetic import generate

    generate(tmp_path / "a", 200, seed=5, images=2)
    generate(tmp_path / "b", 200, seed=6, images=2)  # another set: a repeat load is refused
    on = load_release(tmp_path / "a", "DM1", settings)
    assert on.dicom_files > 0
    p = load_policy()
    p = p.model_copy(update={"data": p.data.model_copy(update={"dicom_mask_burned_in_text": False})})
    off = load_release(tmp_path / "b", "DM0", settings, policy=p)
    assert off.dicom_files == 0 and off.rows_loaded > 0
    rel = settings.warehouse_dir / "releases" / "DM0"
    assert not list(rel.rglob("*.dcm"))
    con = connect_release("DM0", settings)
    cols = [r[0] for r in con.execute("DESCRIBE H_IMG_INDEX").fetchall()]
    assert "DICOM_FILE" not in cols
    with __import__("pytest").raises(ExtractError, match="DICOM_FILE.*never released"):
        build_extract({"release": "DM0", "files": {"H_IMG_INDEX": {"columns": ["DICOM_FILE"]}}},
                      "CASE-DM0", settings, policy=p)
