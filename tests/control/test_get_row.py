"""get_row: the one lookup by id behind the CLIs, the API and the pages.  Ids the 32-bit columns
cannot hold are "not found" like any missing row, never a database overflow error (PostgreSQL)."""
from __future__ import annotations

import pytest

from enclave.accounts.models import User
from enclave.bookings.models import Booking
from enclave.cases.models import ChangeRequest, Extension, SoftwareDeclaration
from enclave.core.errors import NotFound
from enclave.core.rows import MAX_ID, get_row
from enclave.db import session_scope
from enclave.violations.models import Violation
from tests.control.conftest import mk_user

OUT_OF_RANGE = [0, -1, -(2**31), MAX_ID + 1, 2**40, 2**63 - 1, 2**63, 10**30]
MODELS = [(User, "account"), (Booking, "booking"), (Extension, "extension request"),
          (ChangeRequest, "change request"), (SoftwareDeclaration, "software declaration"),
          (Violation, "violation")]


def test_found_row_is_returned(url):
    with session_scope(url) as db:
        uid = mk_user(db, "alice").id
    with session_scope(url) as db:
        assert get_row(db, User, uid, "account").username == "alice"


@pytest.mark.parametrize("row_id", OUT_OF_RANGE + [MAX_ID, 1, 12345])
def test_missing_or_unrepresentable_id_is_not_found(url, row_id):
    for model, what in MODELS:
        with session_scope(url) as db:
            with pytest.raises(NotFound) as e:
                get_row(db, model, row_id, what)
        assert e.value.message == f"No {what} {row_id}.", (model, row_id)
