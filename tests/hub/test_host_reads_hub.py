"""What a session sends to the egress socket is names and bytes, never a host path (S1, D4):
the egress service (host side) writes each submitted file under its name into a folder of its
own to check it.  Names a session controls - over 255 bytes in one part, with a newline or
``\\r``, ``..``, absolute, ``./``, a backslash, a NUL - are refused with a clear error and
nothing stored; a look-alike (Cyrillic ``с``) or another case of a name is just a name of its
own.  A name part over 255 bytes used to pass the manifest and fail inside the service with
``OSError: File name too long`` (HTTP 500, half a submission).  The requests are posted as the
session's client posts them (multipart), through the service's own app.
"""
from __future__ import annotations

import pytest

from egress_review.models import EgressRequest
from enclave.db import session_scope
from tests.egress_workflow.conftest import (COUNTS_OK, client, clock, dirs, manifest, policy,  # noqa: F401
                                            submit, table_spec, world)

REFUSED = {
    "long_name": ("x" * 300 + ".csv", "longer than 255 bytes"),
    "long_part": ("d/" + "y" * 256 + ".csv", "longer than 255 bytes"),
    "newline": ("a\nb.csv", ""),
    "carriage_return": ("a\rb.csv", ""),
    "dotdot": ("../x.csv", "'..'"),
    "inner_dotdot": ("a/../../x.csv", "'..'"),
    "absolute": ("/etc/passwd.csv", "absolute"),
    "nul": ("a\x00b.csv", "NUL"),
    "dot_slash_upload": ("./c.csv", ""),
}


@pytest.mark.parametrize("key", list(REFUSED))
def test_a_name_the_service_cannot_hold_is_refused_and_nothing_stored(client, world, key):  # noqa: F811
    name, words = REFUSED[key]
    r = submit(client, world, man=manifest(files=[table_spec(name)]), files={name: COUNTS_OK})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert words in r.text, r.text[:300]
    with session_scope(world.db_url) as s:
        assert s.query(EgressRequest).count() == 0


@pytest.mark.parametrize("name", ["сounts.csv", "COUNTS.CSV", "n" * 251 + ".csv"])
def test_look_alike_other_case_and_255_byte_names_are_names_of_their_own(client, world, name):  # noqa: F811
    r = submit(client, world, man=manifest(files=[table_spec(name)]), files={name: COUNTS_OK})
    assert r.status_code == 201, r.text[:300]
    with session_scope(world.db_url) as s:
        assert [f.path for f in s.query(EgressRequest).one().files] == [name]
