"""The warehouse's releases on an object store (issue 18, ``datasets.load.store``).

No real object store (MinIO, Ceph) can run here: moto's S3 server (``tests.services.s3``) is the
stand-in, a real S3 HTTP endpoint on a free local port, spoken to by pyarrow's ``S3FileSystem`` (the
release's files) and by boto3 (the test's own tampering).  What moto cannot do, and how the
tests go around it:

- it has no fault injection, so the interrupted upload is one object's put failing with the
  ``OSError`` pyarrow raises for a dropped connection (``store._put`` replaced for that object:
  the one simulated part, said where it is done);
- it checks credentials only with its IAM mode on, and in that mode it also refuses pyarrow's
  correctly signed listings (SignatureDoesNotMatch), so the wrong-credentials test turns it on
  only around the refused load.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from datasets.extract import ExtractError, build_extract
from datasets.extract.builder import connect_extract
from datasets.load import LoadError, connect_release, list_releases, load_release
from datasets.load import store as ST
from datasets.load.releases import (MANIFEST, check_manifest, release_root, release_target,
                                    release_views, releases_dir, staging_dir)
from enclave.settings import EnclaveSettings
from tests.datasets.conftest import SYNTHETIC, full_spec, twin_home
from tests.services.net import free_port
from tests.services.s3 import SECRET, running_s3

BUCKET = "enclave-warehouse"
_REAL_PUT = ST._put


@pytest.fixture(scope="module")
def s3():
    """A moto S3 server (real HTTP on 127.0.0.1) with the warehouse's bucket, the steward's
    endpoint and credentials in the environment, and a boto3 client for tampering."""
    with running_s3(BUCKET) as (_, client):
        yield client


def _store_home(base: EnclaveSettings, tmp_path: Path, prefix: str) -> EnclaveSettings:
    """A home whose releases are in the store under ``prefix`` (same master key as ``base``)."""
    other = twin_home(base, tmp_path)
    return EnclaveSettings(home=other.home, releases_url=f"s3://{BUCKET}/{prefix}")


def _keys(client, prefix: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/")
    return sorted(o["Key"] for p in pages for o in p.get("Contents", []))


def _nothing_local(settings: EnclaveSettings) -> None:
    rd = releases_dir(settings)
    assert not rd.exists() or not [p for p in rd.iterdir() if p.name.startswith(".build-")]
    assert not staging_dir(settings).exists()


def _rows(con, table: str) -> list[tuple]:
    return con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()


# ------------------------------------------------------------------ the same release, two places
@pytest.fixture(scope="module")
def both(s3, tmp_path_factory, small_source):
    """The small synthetic set (with DICOM images) loaded locally and into the store, and the
    same case extract built from each."""
    local = EnclaveSettings(home=tmp_path_factory.mktemp("local-home"))
    load_release(small_source, "S1", local)
    store = _store_home(local, tmp_path_factory.mktemp("store-home"), "wh")
    rep = load_release(small_source, "S1", store)
    spec = dict(full_spec(), release="S1")
    for s in (local, store):
        build_extract(spec, "CASE-S", s, k_override=SYNTHETIC)
    return local, store, rep


def test_a_store_release_is_the_local_release(both, s3):
    local, store, rep = both
    assert rep.path == f"s3://{BUCKET}/wh/S1"
    assert [r["release"] for r in list_releases(store)] == ["S1"]
    _nothing_local(store)                      # the build was uploaded, then removed
    assert not (releases_dir(store) / "S1").exists()
    keys = _keys(s3, "wh/S1")
    assert f"wh/S1/{MANIFEST}" in keys and any(k.endswith(".parquet") for k in keys)
    assert any("/dicom/" in k for k in keys)
    root = release_root("S1", store)
    assert root.store is not None and check_manifest(root) == []
    listed = json.loads(s3.get_object(Bucket=BUCKET, Key=f"wh/S1/{MANIFEST}")["Body"].read())
    assert {f"wh/S1/{f['file']}" for f in listed["files"]} | {f"wh/S1/{MANIFEST}"} == set(keys)

    a, b = connect_release("S1", local), connect_release("S1", store)
    families = json.loads((releases_dir(local) / "S1" / "release.json").read_text())["families"]
    assert len(families) > 10
    for fam in families:                       # decrypted through the store's filesystem
        ra = _rows(a, fam)
        assert ra == _rows(b, fam), fam
    assert _rows(a, "_dictionary") == _rows(b, "_dictionary")
    assert b.execute("SELECT * FROM _release").fetchall() == [("S1",)]
    assert b.execute("SELECT count(*) FROM H_NHI_OPDTE WHERE year = 2019").fetchone()[0] > 0
    a.close()
    b.close()

    # the extract read its release from the store (written locally, for the session broker)
    ea, eb = connect_extract("CASE-S", local), connect_extract("CASE-S", store)
    tables = list(full_spec()["files"])
    assert "H_IMG_INDEX" in tables
    for t in tables:
        assert _rows(ea, t) == _rows(eb, t), t
    ea.close()
    eb.close()
    da = json.loads((Path(local.projects_dir) / "CASE-S/data/dictionary.json").read_text())
    db = json.loads((Path(store.projects_dir) / "CASE-S/data/dictionary.json").read_text())
    assert da == db and any(c["description"] for c in db["H_NHI_OPDTE"])
    ia = sorted((Path(local.projects_dir) / "CASE-S/data/dicom").iterdir())
    assert ia and len(ia) == len(sorted((Path(store.projects_dir) / "CASE-S/data/dicom").iterdir()))

    from datasets.dicom_crypto import extract_dicom, release_dicom
    img = next(k for k in keys if "/dicom/" in k).split("/S1/", 1)[1]
    assert release_dicom("S1", img, store) == release_dicom("S1", img, local)
    assert extract_dicom("CASE-S", f"dicom/{ia[0].name}", store) == \
        extract_dicom("CASE-S", f"dicom/{ia[0].name}", local)


# ------------------------------------------------------------------ an upload that fails
def _failing_put(monkeypatch, fail_at: str, seen: list):
    """The one simulated part (moto has no fault injection): the put of the object whose key
    ends with ``fail_at`` fails as pyarrow's does when the connection drops."""
    real = ST._put

    def put(store, local, path):
        seen.append(path)
        if path.endswith(fail_at):
            raise OSError(f"When uploading object with key '{path}': AWS Error NETWORK_CONNECTION "
                          f"during PutObject operation: connection reset")
        real(store, local, path)
    monkeypatch.setattr(ST, "_put", put)


@pytest.mark.parametrize("fail_at", ["release.json", ".parquet", MANIFEST])
def test_an_interrupted_upload_leaves_no_release(s3, settings, tiny_source, tmp_path, monkeypatch,
                                                 fail_at):
    load_release(tiny_source, "L0", settings)                     # for the master key
    store = _store_home(settings, tmp_path, f"int-{fail_at.strip('.').lower()}")
    prefix = store.releases_url.split(f"{BUCKET}/", 1)[1]
    seen: list[str] = []
    _failing_put(monkeypatch, fail_at, seen)
    with pytest.raises(ST.StoreError, match=rf"object store s3://{BUCKET}/{prefix} at http.*uploading"):
        load_release(tiny_source, "I1", store)
    assert len(seen) > 3                     # it failed part-way, after other objects were put
    assert any(p.endswith(fail_at) for p in seen)
    if fail_at == MANIFEST:
        assert seen[-1].endswith(MANIFEST)   # the manifest is the last object put
    assert _keys(s3, f"{prefix}/I1") == []   # no manifest, and its objects removed
    # pyarrow keeps an empty marker for the release area's own prefix when it removes a
    # directory below it; it is no release and holds nothing
    assert set(_keys(s3, prefix)) <= {f"{prefix}/"}
    assert list_releases(store) == []
    _nothing_local(store)

    monkeypatch.setattr(ST, "_put", _REAL_PUT)
    rep = load_release(tiny_source, "I1", store)   # the same source loads after the failure
    assert check_manifest(release_root("I1", store)) == [] and rep.rows_loaded > 0


def test_an_object_that_reads_back_wrong_is_refused(s3, settings, tiny_source, tmp_path,
                                                     monkeypatch):
    """The store keeps other bytes than were sent (simulated, moto stores what it receives:
    one object's put sends its file less the last byte, or with one bit changed)."""
    load_release(tiny_source, "L0", settings)
    store = _store_home(settings, tmp_path, "readback")
    for n, change in enumerate((lambda b: b[:-1], lambda b: b[:9] + bytes([b[9] ^ 4]) + b[10:])):
        def put(st, local, path, change=change):
            data = Path(local).read_bytes()
            with st.fs.open_output_stream(path) as out:
                out.write(change(data) if path.endswith("catalog.duckdb") else data)
        monkeypatch.setattr(ST, "_put", put)
        with pytest.raises(ST.StoreError, match=r"catalog.duckdb reads back as \d+ bytes, sha256 "
                                                r".* not the manifest's .*: the upload is refused"):
            load_release(tiny_source, f"B{n}", store)
        assert _keys(s3, f"readback/B{n}") == [] and list_releases(store) == []
        _nothing_local(store)


def test_a_killed_upload_is_removed_by_the_next_load(s3, settings, tiny_source, tmp_path,
                                                     monkeypatch):
    """The put fails and so does the removal (the store went away): objects without a
    manifest stay, no reader takes them, and the next load removes them."""
    load_release(tiny_source, "L0", settings)
    store = _store_home(settings, tmp_path, "killed")
    _failing_put(monkeypatch, "report.json", [])

    def gone(st, release):
        raise ST.StoreError(f"object store {st.url}: unreachable")
    monkeypatch.setattr(ST, "remove", gone)
    with pytest.raises(ST.StoreError, match="the next load removes it"):
        load_release(tiny_source, "K1", store)
    left = _keys(s3, "killed/K1")
    assert left and f"killed/K1/{MANIFEST}" not in left
    assert list_releases(store) == []
    with pytest.raises(LoadError, match=f"has no {MANIFEST}: its load did not finish"):
        connect_release("K1", store)

    monkeypatch.undo()
    load_release(tiny_source, "K2", store)   # a new load: the leftovers of K1 go first
    assert _keys(s3, "killed/K1") == []
    assert [r["release"] for r in list_releases(store)] == ["K2"]


# ------------------------------------------------------------------ objects past one part
BIG = 23 << 20   # pyarrow sends objects over 10 MB in parts: this one takes three


def _big_build(tmp_path: Path) -> tuple[Path, dict]:
    import os

    from datasets.load.releases import write_manifest

    build = tmp_path / "build"
    (build / "dicom").mkdir(parents=True)
    (build / "dicom" / "large.dcm").write_bytes(os.urandom(BIG))
    (build / "release.json").write_text("{}")
    return build, write_manifest(build)


def test_objects_past_the_part_size_publish_and_verify(s3, tmp_path):
    """A release file larger than one part goes up as a multipart upload, reads back whole,
    and a change inside any of its parts is found (the same size, one bit)."""
    build, manifest = _big_build(tmp_path)
    store = ST.store_for(EnclaveSettings(home=tmp_path / "h", releases_url=f"s3://{BUCKET}/mp"))
    ST.upload(build, store, "M1", manifest)
    assert ST.objects(store, "M1") == {"dicom/large.dcm": BIG, "release.json": 2, MANIFEST:
                                       (build / MANIFEST).stat().st_size}
    assert ST.check(store, "M1") == []
    data = bytearray((build / "dicom" / "large.dcm").read_bytes())
    for at in (5, (10 << 20) + 7, BIG - 3):        # in the first, second and last part
        changed = bytearray(data)
        changed[at] ^= 1
        s3.put_object(Bucket=BUCKET, Key="mp/M1/dicom/large.dcm", Body=bytes(changed))
        assert ST.check(store, "M1") == ["altered: dicom/large.dcm"], at
    s3.put_object(Bucket=BUCKET, Key="mp/M1/dicom/large.dcm", Body=bytes(data[:-1]))
    assert ST.check(store, "M1") == ["altered: dicom/large.dcm"]


@pytest.mark.parametrize("fail_after_mb", [3, 12, 22])
def test_a_source_failing_inside_a_multipart_upload_leaves_nothing(s3, tmp_path, monkeypatch,
                                                                   fail_after_mb):
    """pyarrow completes a multipart upload when its stream is closed, also on an error, so an
    object cut short appears in the store: the failed upload removes every object, whichever
    part the local read failed in, and says which file."""
    import builtins

    build, manifest = _big_build(tmp_path)
    store = ST.store_for(EnclaveSettings(home=tmp_path / "h", releases_url=f"s3://{BUCKET}/mf"))
    release = f"F{fail_after_mb}"

    class Failing:
        def __init__(self, f):
            self.f, self.n = f, 0

        def read(self, size=-1):
            chunk = self.f.read(size)
            self.n += len(chunk)
            if self.n > fail_after_mb << 20:
                raise OSError(5, "Input/output error")   # the local disk, not the store
            return chunk

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

    def failing_open(path, mode="r", *a, **k):
        f = builtins.open(path, mode, *a, **k)
        return Failing(f) if str(path).endswith("large.dcm") else f
    monkeypatch.setattr(ST, "open", failing_open, raising=False)
    with pytest.raises(ST.StoreError, match="large.dcm"):
        ST.upload(build, store, release, manifest)
    assert _keys(s3, f"mf/{release}") == []
    monkeypatch.undo()
    ST.upload(build, store, release, manifest)       # the same build goes up afterwards
    assert ST.check(store, release) == []


# ------------------------------------------------------------------ after publishing
@pytest.fixture
def published(s3, settings, tiny_source, tmp_path):
    load_release(tiny_source, "L0", settings)
    store = _store_home(settings, tmp_path, f"pub-{tmp_path.name}")
    load_release(tiny_source, "P1", store)
    prefix = store.releases_url.split(f"{BUCKET}/", 1)[1] + "/P1"
    return store, prefix


def test_check_manifest_names_what_changed_in_the_store(published, s3):
    store, prefix = published
    root = release_root("P1", store)
    assert check_manifest(root) == []
    keys = [k for k in _keys(s3, prefix) if not k.endswith(MANIFEST)]
    pq = [k for k in keys if k.endswith(".parquet")]
    flip, grow, drop = pq[0], "release.json", pq[1]

    body = bytearray(s3.get_object(Bucket=BUCKET, Key=flip)["Body"].read())
    body[len(body) // 2] ^= 1                                       # same size, one bit
    s3.put_object(Bucket=BUCKET, Key=flip, Body=bytes(body))
    meta = s3.get_object(Bucket=BUCKET, Key=f"{prefix}/{grow}")["Body"].read()
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{grow}", Body=meta + b"\n")   # one byte more
    s3.delete_object(Bucket=BUCKET, Key=drop)
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/data/H_NHI_OPDTE/planted.parquet", Body=b"x")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/_load/notes.txt", Body=b"")

    rel = lambda k: k.split("/P1/", 1)[1]   # noqa: E731
    assert sorted(check_manifest(root)) == sorted([
        f"altered: {rel(flip)}", f"altered: {grow}", f"missing: {rel(drop)}",
        "not listed: data/H_NHI_OPDTE/planted.parquet", "not listed: _load/notes.txt"])


def test_without_its_manifest_every_reader_refuses(published, s3):
    import duckdb

    from datasets.dicom_crypto import release_dicom

    store, prefix = published
    manifest = s3.get_object(Bucket=BUCKET, Key=f"{prefix}/{MANIFEST}")["Body"].read()
    s3.delete_object(Bucket=BUCKET, Key=f"{prefix}/{MANIFEST}")
    assert list_releases(store) == []
    spec = {"release": "P1", "files": {"H_NHI_OPDTE": {"columns": ["ID", "FUNC_DATE"]}}}
    readers = {
        "release_root": lambda: release_root("P1", store),
        "connect_release": lambda: connect_release("P1", store),
        "release_views": lambda: release_views(duckdb.connect(), "P1", store),
        "build_extract": lambda: build_extract(spec, "CASE-P", store, k_override=SYNTHETIC),
        "release_dicom": lambda: release_dicom("P1", "dicom/x.dcm", store),
    }
    for name, read in readers.items():
        with pytest.raises((LoadError, ExtractError)) as e:
            read()
        assert MANIFEST in str(e.value) and "did not finish" in str(e.value), name
    assert not (Path(store.projects_dir) / "CASE-P" / "data").exists()

    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{MANIFEST}", Body=manifest)
    con = connect_release("P1", store)
    assert con.execute("SELECT count(*) FROM H_NHI_OPDTE").fetchone()[0] > 0
    con.close()


def test_a_release_already_in_the_store_is_refused(published, s3, tiny_source, tmp_path):
    store, prefix = published
    before = {k: s3.head_object(Bucket=BUCKET, Key=k)["ETag"] for k in _keys(s3, prefix)}
    with pytest.raises(LoadError, match=rf"'P1' already exists at s3://{BUCKET}/.*/P1"):
        load_release(tiny_source, "P1", store)
    # and at the publish itself (a build made while another load published the same id)
    from datasets.load.releases import publish
    build = tmp_path / "other-build"
    (build / "data").mkdir(parents=True)
    (build / "release.json").write_text("{}")
    with pytest.raises(ST.StoreError, match="already exists"):
        publish(build, release_target("P1", store))
    assert {k: s3.head_object(Bucket=BUCKET, Key=k)["ETag"] for k in _keys(s3, prefix)} == before
    assert check_manifest(release_root("P1", store)) == []
    _nothing_local(store)


# ------------------------------------------------------------------ a store that cannot be used
def test_a_wrong_endpoint_or_bad_setting_names_the_store(s3, settings, tiny_source, tmp_path,
                                                         monkeypatch):
    load_release(tiny_source, "L0", settings)
    store = _store_home(settings, tmp_path, "elsewhere")
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("ENCLAVE_S3_ENDPOINT", closed)
    for act in (lambda: load_release(tiny_source, "W1", store), lambda: list_releases(store),
                lambda: connect_release("W1", store)):
        with pytest.raises(ST.StoreError) as e:
            act()
        assert f"s3://{BUCKET}/elsewhere at {closed}" in str(e.value)
    _nothing_local(store)

    monkeypatch.setenv("ENCLAVE_S3_ENDPOINT", "ftp://127.0.0.1:1")
    with pytest.raises(ST.StoreError, match="ENCLAVE_S3_ENDPOINT 'ftp://127.0.0.1:1' is not"):
        load_release(tiny_source, "W1", store)
    monkeypatch.setenv("ENCLAVE_S3_ENDPOINT", s3.meta.endpoint_url)
    for url in ("https://x/y", f"s3://{BUCKET.upper()}/p", f"s3://{BUCKET}/a/../b", "s3://"):
        bad = EnclaveSettings(home=store.home, releases_url=url)
        with pytest.raises(ST.StoreError, match="releases_url"):
            load_release(tiny_source, "W1", bad)
    nobucket = EnclaveSettings(home=store.home, releases_url="s3://no-such-bucket/wh")
    for act in (lambda: load_release(tiny_source, "W1", nobucket), lambda: list_releases(nobucket),
                lambda: connect_release("W1", nobucket)):
        with pytest.raises(ST.StoreError, match="s3://no-such-bucket/wh at http.*bucket "
                                                "'no-such-bucket' does not exist"):
            act()
    _nothing_local(store)
    monkeypatch.delenv("ENCLAVE_S3_SECRET_ACCESS_KEY")
    with pytest.raises(ST.StoreError, match="go together"):
        load_release(tiny_source, "W1", store)
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    monkeypatch.setenv("ENCLAVE_S3_SECRET_ACCESS_KEY_FILE", str(secret))
    load_release(tiny_source, "W1", store)                # the mounted-secret form works
    assert _keys(s3, "elsewhere") and [r["release"] for r in list_releases(store)] == ["W1"]
    _nothing_local(store)


def test_wrong_credentials_name_the_store_and_leave_nothing(s3, settings, tiny_source, tmp_path,
                                                            monkeypatch):
    import moto.settings

    load_release(tiny_source, "L0", settings)
    store = _store_home(settings, tmp_path, "creds")
    monkeypatch.setenv("ENCLAVE_S3_SECRET_ACCESS_KEY", "not-the-secret")
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)   # moto checks keys
    with pytest.raises(ST.StoreError) as e:
        load_release(tiny_source, "C1", store)
    assert f"object store s3://{BUCKET}/creds at http://127.0.0.1" in str(e.value)
    assert "AWS Error" in str(e.value)
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", float("inf"))
    assert _keys(s3, "creds") == []
    _nothing_local(store)
