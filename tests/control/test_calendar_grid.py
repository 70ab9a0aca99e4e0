"""The booking calendar as a week grid (issue 16): slots down, days across, each cell with its
occupancy (a meter and free/total); staff also see the seat map of every slot (which case holds
which seat), researchers do not.  Over HTTP with the page's log-in."""
from __future__ import annotations

import datetime as dt
import re

from enclave.bookings import service as bk
from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, T0, load, mk_case
from tests.identity.helpers import FormClient


def _as(app, name):
    c = FormClient(app)
    assert c.post("/login", data={"username": name, "password": PASSWORD}).status_code == 200
    return c


def test_week_grid_with_occupancy_and_a_seat_map_for_staff(people, policy):
    day = dt.date(2026, 11, 24)                                  # a Tuesday (T0's week)
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin"), load(db, "alice"), load(db, "bob")
        c = mk_case(db, policy, alice, admin=admin)
        d = mk_case(db, policy, bob, admin=admin)
        bk.book(db, policy, alice, c, day=day, slot="morning", now=T0)
        bk.book(db, policy, bob, d, day=day, slot="morning", now=T0)
        codes = (c.code, d.code)
    app = create_app(people, policy, clock=lambda: T0)
    staff = _as(app, "admin").get("/calendar", params={"start": "2026-11-23"}).text
    grid = staff.split('<table class="week" id="week-grid">')[1].split("</table>")[0]
    header = grid.split("</tr>")[0]
    assert header.count('<th scope="col"') == 7 and "2026-11-24" in header and "二 Tue" in header
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>', grid)
    assert rows[:2] == ["morning", "afternoon"] or "morning" in rows
    seats = policy.sessions.centre_seats
    assert f'<meter min="0" max="{seats}" value="2"' in grid
    assert f"空位 free {seats - 2}/{seats}" in grid
    seatmap = re.search(r'aria-label="座位圖 Seat map 2026-11-24[^"]*morning[^"]*">(.*?)</div>', grid, re.S)
    assert seatmap, "staff see the seat map of a booked slot"
    assert seatmap.group(1).count('class="seat taken"') == 2 and all(k in seatmap.group(1) for k in codes)
    assert 'class="closed"' in header                           # the weekend is closed
    researcher = _as(app, "alice").get("/calendar", params={"start": "2026-11-23"}).text
    assert "座位圖 Seat map" not in researcher and 'id="week-grid"' in researcher
    assert "已預約 booked" in researcher
