"""Project extracts (RULES.md D3): only the approved files, years, columns and cohort.

Spec (a dict, or YAML via ``enclave extract build CASE --spec spec.yaml``)::

    release: R2024A            # optional; default: the newest release
    files:                     # file family -> what the case may receive
      H_NHI_OPDTE:
        years: [2019, 2020]    # optional; default: every year in the release
        columns: [ID, ID_SEX, ID_BIRTHDAY, FUNC_DATE, ICD9CM_CODE]
      H_NHI_ENROL:
        columns: [ID, ID_S, ID_BIRTH_Y, HOME_CITY]
    cohort:                    # optional; persons kept (all conditions must hold)
      icd_prefixes: [E11]      # a principal/secondary diagnosis (H_NHI_OPDTE, H_NHI_IPDTE) in
                               # the spec's years starts with one of these
      sex: [F]                 # M / F
      age: {min: 40, max: 64, reference_year: 2019}   # age on 1 January of reference_year
                               # (default: the earliest year of the spec)

Orders files (H_NHI_OPDTO, H_NHI_IPDTO, H_NHI_DRUGO) follow their summary file's cohort rows
through the claim key; files with a person column (claims summaries, enrollment, H_IC_UPLOAD,
H_LAB_RESULT, H_IMG_INDEX) keep the cohort's persons; H_NHI_MEDFA (institutions), H_VPN_UPLOAD
(institutions' upload batches) and the reference files H_NHI_FEESCH / H_NHI_DRUGITEM are not
person data and are not filtered.
Every re-coded identifier is re-coded again with the case's own key (HKDF(master, 'case:<code>'),
per identifier class), so two cases cannot join their rows.  Output under
``projects/<case>/data/``: ``<FAMILY>.parquet``, ``catalog.duckdb`` (views), ``dicom/`` when
imaging is requested, ``extract.json`` and ``k_anonymity.json``; all read-only (0444/0555), built
beside the target and renamed into place.  The Parquet files are encrypted at rest with the
case's key when the policy says so (``datasets.parquet_crypto``, O3), and so are the DICOM
files (``datasets.dicom_crypto``): only the case's query broker, given that key, reads them.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from datasets import keyring
from datasets import dicom_crypto as DC
from datasets import parquet_crypto as PC
from datasets.defaults import policy_or_current, settings_or_current
from datasets.load.releases import (ReleaseRoot, _fsync_tree, _read_only, _rmtree, list_releases,
                                    local_catalog, release_root, release_scope, release_views)
from datasets.load import sql as S
from datasets.load.files import LoadError
from datasets.schemas import CLAIM_KEY, FAMILIES, effective_actions
from datasets.schemas.dictionary import output_type
from deidentify import keys as K
from deidentify import recode as R
from deidentify.kanon import k_anonymity
from datasets.extract.k_chart import k_anonymity_svg

CASE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
SPEC_KEYS = {"release", "files", "cohort"}
FILE_KEYS = {"years", "columns"}
COHORT_KEYS = {"icd_prefixes", "sex", "age"}
QI_COLUMNS = ("ID_SEX", "ID_S", "ID_BIRTHDAY", "ID_BIRTH_Y", "CITY", "HOME_CITY")


class ExtractError(ValueError):
    """The spec asks for something that is unknown, not approved or not in the release."""


class KAnonymityError(ExtractError):
    """A table of the extract has quasi-identifier classes smaller than the policy's k (D3).

    Nothing is published; a steward may rebuild with a recorded override reason."""

    def __init__(self, message: str, reports: list[dict]):
        super().__init__(message)
        self.reports = reports


@dataclass
class ExtractResult:
    case: str
    path: Path
    release: str
    rows: dict[str, int] = field(default_factory=dict)
    persons: int | None = None
    k_anonymity: list[dict] = field(default_factory=list)
    k_override: str | None = None  # the steward's reason when a table is below k (D3)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"case": self.case, "path": str(self.path), "release": self.release,
                "rows": self.rows, "persons": self.persons, "k_anonymity": self.k_anonymity,
                "k_override": self.k_override, "seconds": self.seconds}


def validate_spec(spec: dict, settings, policy) -> dict:
    """Check the spec against the schemas and the release; return it normalised."""
    if not isinstance(spec, dict):
        raise ExtractError("extract spec must be a mapping with 'files' (and optional 'release', 'cohort')")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise ExtractError(f"extract spec: unknown keys {sorted(unknown)}; allowed: {sorted(SPEC_KEYS)}")
    releases = list_releases(settings)
    named = spec.get("release")
    if isinstance(named, str) and not any(r["release"] == named for r in releases):
        try:
            release_root(named, settings)   # says why: unknown, or a load that did not finish
        except LoadError as e:
            raise ExtractError(f"extract spec: {e}") from None
    if not releases:
        raise ExtractError("no warehouse release exists; load one first (enclave data load)")
    release = spec.get("release") or releases[-1]["release"]
    meta = next((r for r in releases if r["release"] == release), None)
    if meta is None:
        raise ExtractError(f"extract spec: release {release!r} not found; known: "
                           f"{[r['release'] for r in releases]}")
    files = spec.get("files")
    if not isinstance(files, dict) or not files:
        raise ExtractError("extract spec: 'files' must map at least one file family to its columns")
    actions = effective_actions(policy)
    out_files = {}
    for fam_name, fs in files.items():
        if fam_name not in FAMILIES:
            raise ExtractError(f"extract spec: unknown file family {fam_name!r}; known: {', '.join(FAMILIES)}")
        if fam_name not in meta["families"]:
            raise ExtractError(f"extract spec: file family {fam_name} is not in release {release}")
        fam = FAMILIES[fam_name]
        if not isinstance(fs, dict):
            raise ExtractError(f"extract spec: files.{fam_name} must be a mapping with 'columns'")
        bad = set(fs) - FILE_KEYS
        if bad:
            raise ExtractError(f"extract spec: files.{fam_name}: unknown keys {sorted(bad)}")
        cols = fs.get("columns")
        if not isinstance(cols, list) or not cols:
            raise ExtractError(f"extract spec: files.{fam_name}.columns must list the approved "
                               f"columns (D3: no implicit 'all columns')")
        for c in cols:
            if c not in fam.names:
                raise ExtractError(f"extract spec: files.{fam_name}: unknown column {c!r} "
                                   f"(not in the {fam_name} layout)")
            if output_type(fam.column(c), actions[fam_name][c], policy) is None:
                raise ExtractError(f"extract spec: files.{fam_name}: column {c!r} was removed at "
                                   f"de-identification (D1) and is never released")
        if len(set(cols)) != len(cols):
            raise ExtractError(f"extract spec: files.{fam_name}.columns repeats a column")
        years = fs.get("years")
        if years is not None:
            if not fam.year_from:
                raise ExtractError(f"extract spec: files.{fam_name} is not split by year; remove 'years'")
            years = [str(y) for y in years]
            missing = [y for y in years if y not in meta["years"]]
            if missing:
                raise ExtractError(f"extract spec: files.{fam_name}: years {missing} are not in "
                                   f"release {release} (it has {meta['years']})")
        out_files[fam_name] = {"columns": list(cols), "years": years}
    cohort = spec.get("cohort") or {}
    if not isinstance(cohort, dict):
        raise ExtractError("extract spec: 'cohort' must be a mapping")
    bad = set(cohort) - COHORT_KEYS
    if bad:
        raise ExtractError(f"extract spec: cohort: unknown conditions {sorted(bad)}; "
                           f"allowed: {sorted(COHORT_KEYS)}")
    if "icd_prefixes" in cohort:
        pre = cohort["icd_prefixes"]
        if isinstance(pre, str):
            pre = [pre]
        for p in pre:
            if not re.fullmatch(r"[A-TV-Z][0-9A-Z]{0,6}", str(p)):
                raise ExtractError(f"extract spec: cohort.icd_prefixes: {p!r} is not an ICD-10-CM prefix")
        cohort["icd_prefixes"] = [str(p) for p in pre]
    if "sex" in cohort:
        sx = cohort["sex"]
        sx = [sx] if isinstance(sx, str) else list(sx)
        if not sx or any(s not in ("M", "F") for s in sx):
            raise ExtractError(f"extract spec: cohort.sex must be M and/or F, got {cohort['sex']!r}")
        cohort["sex"] = sx
    if "age" in cohort:
        a = cohort["age"]
        if not isinstance(a, dict) or set(a) - {"min", "max", "reference_year"}:
            raise ExtractError("extract spec: cohort.age must be {min:, max:, reference_year:}")
        try:
            lo, hi = int(a.get("min", 0)), int(a.get("max", 200))
        except (TypeError, ValueError):
            raise ExtractError("extract spec: cohort.age min/max must be integers") from None
        if lo > hi:
            raise ExtractError(f"extract spec: cohort.age min {lo} > max {hi}")
        all_years = sorted({y for f in out_files.values() for y in (f["years"] or meta["years"])})
        ref = int(a.get("reference_year") or (all_years[0] if all_years else meta["years"][0]))
        cohort["age"] = {"min": lo, "max": hi, "reference_year": ref}
    return {"release": release, "files": out_files, "cohort": cohort, "_meta": meta}


def _year_filter(fam, years) -> str:
    if not years or not fam.year_from:
        return "true"
    return f"CAST(year AS VARCHAR) IN ({', '.join(S.lit(y) for y in years)})"


def _cohort_sql(con, spec: dict) -> str | None:
    """Create temp table ``cohort(ID)`` when the spec has a cohort; return its name."""
    cohort = spec["cohort"]
    if not cohort:
        return None
    meta = spec["_meta"]
    fams = meta["families"]
    conds = []
    if "icd_prefixes" in cohort:
        parts = []
        for fam_name, cols in (("H_NHI_OPDTE", 3), ("H_NHI_IPDTE", 5)):
            if fam_name not in fams:
                continue
            fam = FAMILIES[fam_name]
            years = (spec["files"].get(fam_name) or {}).get("years") or \
                sorted({y for f in spec["files"].values() for y in (f["years"] or [])})
            codes = ["ICD9CM_CODE"] + [f"ICD9CM_CODE_{i}" for i in range(1, cols)]
            like = " OR ".join(f"starts_with({c}, {S.lit(p)})" for c in codes for p in cohort["icd_prefixes"])
            parts.append(f"SELECT ID FROM w.{fam_name} WHERE ({like}) AND {_year_filter(fam, years)}")
        if not parts:
            raise ExtractError("extract spec: cohort.icd_prefixes needs H_NHI_OPDTE or H_NHI_IPDTE in the release")
        conds.append("ID IN (" + " UNION ".join(parts) + ")")
    if "sex" in cohort or "age" in cohort:
        src = []
        for fam_name, sex, by in (("H_NHI_ENROL", "ID_S", "CAST(ID_BIRTH_Y AS INTEGER)"),
                                  ("H_NHI_OPDTE", "ID_SEX", "CAST(substr(ID_BIRTHDAY, 1, 4) AS INTEGER)"),
                                  ("H_NHI_IPDTE", "ID_SEX", "CAST(substr(ID_BIRTHDAY, 1, 4) AS INTEGER)"),
                                  ("H_NHI_DRUGE", "ID_SEX", "CAST(substr(ID_BIRTHDAY, 1, 4) AS INTEGER)")):
            if fam_name in fams:
                src.append(f"SELECT ID, {sex} AS sex, {by} AS birth_y FROM w.{fam_name}")
        con.execute("CREATE TEMP TABLE persons AS SELECT ID, any_value(sex) AS sex, "
                    "min(birth_y) AS birth_y FROM (" + " UNION ALL ".join(src) + ") GROUP BY ID")
        if "sex" in cohort:
            conds.append(f"ID IN (SELECT ID FROM persons WHERE sex IN "
                         f"({', '.join(S.lit(s) for s in cohort['sex'])}))")
        if "age" in cohort:
            a = cohort["age"]
            conds.append(f"ID IN (SELECT ID FROM persons WHERE {a['reference_year']} - birth_y "
                         f"BETWEEN {a['min']} AND {a['max']})")
    base = " UNION ".join(f"SELECT ID FROM w.{f}" for f in fams if FAMILIES[f].person_column)
    con.execute(f"CREATE TEMP TABLE cohort AS SELECT DISTINCT ID FROM ({base}) WHERE "
                + " AND ".join(conds))
    return "cohort"


def _row_filter(fam, fs: dict, spec: dict, cohort: str | None) -> str:
    cond = [_year_filter(fam, fs["years"])]
    if cohort:
        if fam.person_column:
            cond.append(f"t.{fam.person_column} IN (SELECT ID FROM {cohort})")
        elif fam.parent:
            parent = FAMILIES[fam.parent]
            key = ", ".join(CLAIM_KEY)
            cond.append(f"({', '.join('t.' + k for k in CLAIM_KEY)}) IN (SELECT ({key}) FROM "
                        f"w.{parent.name} WHERE ID IN (SELECT ID FROM {cohort}) AND "
                        f"{_year_filter(parent, fs['years'])})")
    return " AND ".join(cond)


def _recase_dicom(data: bytes, case_key: bytes, hex_chars: int) -> bytes:
    """Re-code a warehouse DICOM file's PatientID and instance UIDs with the case key."""
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(data))
    person = keyring.class_key(case_key, "person")
    uidk = keyring.class_key(case_key, "dicom-uid")
    if ds.get("PatientID"):
        ds.PatientID = R.pseudonym(person, str(ds.PatientID), hex_chars)

    def remap(uid: str) -> str:
        if not uid.startswith("2.25."):
            return uid
        return "2.25." + str(int(R.pseudonym(uidk, uid, 30), 16))

    for el in ds.iterall():
        if el.VR == "UI" and isinstance(el.value, str):
            el.value = remap(el.value)
    meta = ds.file_meta
    if "MediaStorageSOPInstanceUID" in meta:
        meta.MediaStorageSOPInstanceUID = remap(str(meta.MediaStorageSOPInstanceUID))
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def build_extract(spec: dict, case_code: str, settings=None, *, policy=None, replace: bool = False,
                  on_progress=None, k_override: str | None = None) -> Path:
    """Build ``projects/<case>/data`` from an approved spec; return its path."""
    return build_extract_report(spec, case_code, settings, policy=policy, replace=replace,
                                on_progress=on_progress, k_override=k_override).path


def _k_failures(reports: list[dict]) -> list[str]:
    return [f"{r['table']}: {r['classes_below_k']} classes ({r['units_below_k']} {r['unit']}) below "
            f"k={r['k']} on {', '.join(r['quasi_identifiers'])} (smallest class {r['k_min']})"
            for r in reports if not r["satisfied"]]


def build_extract_report(spec: dict, case_code: str, settings=None, *, policy=None,
                         replace: bool = False, on_progress=None,
                         k_override: str | None = None) -> ExtractResult:
    """Build the extract; publish it only when every table meets the policy's k or a steward's
    ``k_override`` reason is given (recorded in ``extract.json``).  The caller records the build
    in the audit log (this library never writes the control plane's log itself)."""
    t0 = time.time()
    if k_override is not None and len(k_override.strip()) < 10:
        raise ExtractError("a k-anonymity override needs a reason of at least 10 characters")
    settings = settings_or_current(settings)
    policy = policy_or_current(policy)
    if not CASE_RE.fullmatch(case_code or ""):
        raise ExtractError(f"case code {case_code!r} is not valid")
    spec = validate_spec(dict(spec), settings, policy)
    rel = release_root(spec["release"], settings)   # a directory, or the release store
    actions = effective_actions(policy)
    hexc = policy.data.pseudonym_hex_chars
    master = keyring.master_key(settings)
    ckey = K.case_key(master, case_code)
    cscope = PC.scope_for(master, PC.case_scope(case_code), policy)   # at rest (O3)
    project = Path(settings.projects_dir) / case_code
    target = project / "data"
    if target.exists() and not replace:
        raise ExtractError(f"case {case_code} already has an extract at {target}; rebuild with replace")
    project.mkdir(parents=True, exist_ok=True)
    for p in project.iterdir():
        if p.name.startswith(".data-build-"):
            _rmtree(p)
    build = project / f".data-build-{os.getpid()}"
    build.mkdir()
    result = ExtractResult(case_code, target, spec["release"])
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        # the release's families as views w.<FAMILY>, decrypted as they are read (O3)
        release_views(con, spec["release"], settings, policy, schema="w")
        cohort = _cohort_sql(con, spec)
        if cohort:
            result.persons = con.execute(f"SELECT count(*) FROM {cohort}").fetchone()[0]
        maps: set[str] = set()
        k_reports = []
        n_fam = len(spec["files"])
        for i, (fam_name, fs) in enumerate(spec["files"].items()):
            fam = FAMILIES[fam_name]
            where = _row_filter(fam, fs, spec, cohort)
            con.execute(f"CREATE OR REPLACE TEMP VIEW _sel AS SELECT * FROM w.{fam_name} t WHERE {where}")
            outs, joins = [], []
            for j, c in enumerate(fs["columns"]):
                col = fam.column(c)
                if actions[fam_name][c] == "recode" and policy.data.extract_recode_per_case:
                    # re-code each distinct warehouse pseudonym once with the case key, then join
                    m = f"cmap_{col.id_class}"
                    p = f"c_{col.id_class}"
                    if m not in maps:
                        con.execute(f"CREATE TEMP TABLE {m} (v VARCHAR, p VARCHAR)")
                        maps.add(m)
                    con.execute(f"INSERT INTO {m} SELECT d.v, {R.hmac_sql('d.v', p, hexc)} FROM "
                                f"(SELECT DISTINCT {S.q(c)} AS v FROM _sel WHERE {S.q(c)} IS NOT NULL) d "
                                f"ANTI JOIN {m} x ON d.v = x.v",
                                R.pad_params(keyring.class_key(ckey, col.id_class), p))
                    joins.append(f"LEFT JOIN {m} m{j} ON t.{S.q(c)} = m{j}.v")
                    outs.append(f"m{j}.p AS {S.q(c)}")
                else:
                    outs.append(f"t.{S.q(c)}")
            query = f"SELECT {', '.join(outs)} FROM _sel t {' '.join(joins)}"
            out = build / f"{fam_name}.parquet"
            if "DICOM_FILE" in fs["columns"]:
                con.execute(f"CREATE OR REPLACE TEMP TABLE _img AS {query}")
                _copy_dicom(con, rel, build, ckey, hexc,
                            release_scope(spec["release"], settings, policy), cscope)
                sink = PC.write_reader(out, PC.arrow_reader(con, "SELECT * FROM _img"), cscope)
                src_tbl = "_img"
            else:
                # DuckDB computes, pyarrow writes (encrypted with the case's key, O3)
                sink = PC.write_reader(out, PC.arrow_reader(con, query), cscope)
                PC.register(con, f"_out_{fam_name}", PC.dataset([out], cscope))
                src_tbl = f"_out_{fam_name}"   # k-anonymity of the file as written
            result.rows[fam_name] = sink.rows
            qis = [c for c in fs["columns"] if c in QI_COLUMNS]
            if qis:
                pc = fam.person_column if fam.person_column in fs["columns"] else None
                k_reports.append(k_anonymity(con, src_tbl, qis, policy.data.k_anonymity_k, pc,
                                             name=fam_name).to_dict())
            if on_progress:
                on_progress(fam_name, i + 1, n_fam)
        result.k_anonymity = k_reports
    except BaseException:
        con.close()
        _rmtree(build)
        raise
    con.close()
    failures = _k_failures(result.k_anonymity)
    if failures and policy.data.extract_enforce_k and not k_override:
        _rmtree(build)  # D3: nothing below k is published without a recorded decision
        raise KAnonymityError("extract refused: k-anonymity below the policy's k (D3): "
                              + "; ".join(failures) + ". Generalise or drop quasi-identifiers in "
                              "the spec, or record an override with a reason.", result.k_anonymity)
    result.k_override = k_override.strip() if (failures and k_override) else None
    cat = duckdb.connect(str(build / "catalog.duckdb"))
    try:
        cat.execute(f"SET file_search_path = {S.lit(str(build))}")
        for fam_name in spec["files"]:
            if not cscope.encrypt:   # encrypted files need the key: connect_extract's views
                cat.execute(f"CREATE VIEW {fam_name} AS SELECT * FROM read_parquet('{fam_name}.parquet')")
    finally:
        cat.close()
    _write_dictionary(build, rel, list(spec["files"]), cscope)
    public_spec = {k: v for k, v in spec.items() if k != "_meta"}
    (build / "extract.json").write_text(json.dumps({
        "case": case_code, "release": spec["release"], "spec": public_spec, "rows": result.rows,
        "cohort_persons": result.persons, "k_override": result.k_override,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "encrypted_at_rest": cscope.encrypt,
        "pseudonyms": "re-coded with the case key (HKDF(master, 'case:<code>')), per identifier class",
    }, indent=2, ensure_ascii=False))
    (build / "k_anonymity.json").write_text(json.dumps(
        {"k": policy.data.k_anonymity_k, "reports": result.k_anonymity}, indent=2, ensure_ascii=False))
    (build / "k_anonymity.svg").write_text(
        k_anonymity_svg(case_code, policy.data.k_anonymity_k, result.k_anonymity), encoding="utf-8")
    _fsync_tree(build)
    _read_only(build)
    old = None
    if target.exists():
        old = project / f".data-old-{os.getpid()}"
        os.rename(target, old)
    os.rename(build, target)
    fd = os.open(project, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if old is not None:
        _rmtree(old)
    result.seconds = round(time.time() - t0, 3)
    return result


def _write_dictionary(build: Path, rel: ReleaseRoot, families: list[str], scope: PC.Scope) -> None:
    """``dictionary.json``: for each table of the extract, its columns as written, with the
    release's description and de-identification step (the researcher reads it in the session:
    ``connect(...).dictionary()``)."""
    con = duckdb.connect()
    try:
        described: dict[tuple[str, str], tuple[str, str]] = {}
        if rel.exists("catalog.duckdb"):
            with local_catalog(rel) as cat:
                con.execute(f"ATTACH {S.lit(str(cat))} AS rel (READ_ONLY)")
                for fam, col, action, desc in con.execute(
                        "SELECT family, column_name, action, description FROM rel._dictionary"
                        ).fetchall():
                    described[(fam, col)] = (action, desc)
                con.execute("DETACH rel")
        out = {}
        for fam in families:
            f = build / f"{fam}.parquet"
            if not f.exists():
                continue
            PC.register(con, f"_d_{fam}", PC.dataset([f], scope))
            cols = con.execute(f'DESCRIBE SELECT * FROM "_d_{fam}"').fetchall()
            out[fam] = [{"column": c[0], "type": c[1],
                         "action": described.get((fam, c[0]), ("", ""))[0],
                         "description": described.get((fam, c[0]), ("", ""))[1]} for c in cols]
    finally:
        con.close()
    (build / "dictionary.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))


def _copy_dicom(con, rel: ReleaseRoot, build: Path, ckey: bytes, hexc: int, rscope: PC.Scope,
                cscope: PC.Scope) -> None:
    """Each image of the selection, opened with the release's key (a plain or foreign file is
    refused naming it), re-coded, and sealed with the case's key (O3) in the build directory."""
    rows = con.execute("SELECT rowid, DICOM_FILE FROM _img WHERE DICOM_FILE IS NOT NULL").fetchall()
    (build / "dicom").mkdir(exist_ok=True)
    fkey = keyring.class_key(ckey, "file")
    ids, paths = [], []
    for rid, p in rows:
        data = DC.read_file(rel.file(DC.check_rel(p)), rscope, p, rel.fs if rel.store else None)
        name = R.pseudonym(fkey, p, hexc) + ".dcm"
        DC.write_file(build / "dicom" / name, _recase_dicom(data, ckey, hexc), cscope,
                      f"dicom/{name}")
        ids.append(rid)
        paths.append(f"dicom/{name}")
    con.register("_dpaths", pa.table({"rid": pa.array(ids, pa.int64()), "p": pa.array(paths, pa.string())}))
    con.execute("UPDATE _img SET DICOM_FILE = (SELECT p FROM _dpaths WHERE rid = _img.rowid)")
    con.unregister("_dpaths")


def extract_scope(case_code: str, settings, policy=None) -> PC.Scope:
    """The case extract's encryption scope under the policy (O3)."""
    from deidentify.keys import KeyFileError

    policy = policy_or_current(policy)
    try:
        master = keyring.master_key(settings, create=False)
    except KeyFileError:
        master = None   # then only plain files, where the policy allows them
    return PC.scope_for(master, PC.case_scope(case_code), policy)


def connect_extract(case_code: str, settings=None, policy=None) -> duckdb.DuckDBPyConnection:
    """DuckDB connection with a view per table of a case's extract, decrypted as read (O3)."""
    settings = settings_or_current(settings)
    d = Path(settings.projects_dir) / case_code / "data"
    if not (d / "catalog.duckdb").exists():
        raise ExtractError(f"case {case_code} has no extract at {d}")
    scope = extract_scope(case_code, settings, policy)
    con = duckdb.connect(":memory:")
    try:
        for f in sorted(d.glob("*.parquet")):
            PC.register(con, f.stem, PC.dataset([f], scope))
    except BaseException:
        con.close()
        raise
    return con
