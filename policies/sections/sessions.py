"""S: the work area, opening hours, bookings and the sandbox (RULES.md S1–S7)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from policies.fields import setting


class Slot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _ordered(self) -> "Slot":
        if self.end <= self.start:
            raise ValueError(f"slot {self.name!r} ends ({self.end}) before it starts ({self.start})")
        return self


class SessionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = setting("Asia/Taipei", rule="S2", description="Centre's local time zone.")
    weekdays: list[int] = setting(
        [0, 1, 2, 3, 4], rule="S2", description="Open weekdays, Monday=0.")
    slots: list[Slot] = setting(
        default_factory=lambda: [
            Slot(name="morning", start=dt.time(8, 30), end=dt.time(12, 30)),
            Slot(name="afternoon", start=dt.time(13, 30), end=dt.time(17, 30)),
        ],
        rule="S2", description="Half-day slots.")
    holiday_country: str | None = setting(
        "TW", rule="S2", description="National holidays (python-holidays country code).")
    closures_file: str | None = setting(
        None, rule="S2", description="Extra centre closures, one ISO date per line.")
    round_the_clock: bool = setting(
        False, rule="S2",
        description="DEMO ONLY: open every day, all day, slots of slot_hours each.")
    round_the_clock_slot_hours: int = setting(
        4, rule="S2", ge=1, le=24, description="Slot length when round_the_clock is on.")
    seats_per_case: int = setting(1, rule="S4", ge=1, description="Default seats per case.")
    centre_seats: int = setting(20, rule="S4", ge=1, description="Seats (concurrent sessions).")
    no_show_limit: int = setting(
        3, rule="S3", ge=1, description="No-shows within the window that restrict booking.")
    no_show_window_days: int = setting(90, rule="S3", ge=1, description="No-show window.")
    no_show_restriction_days: int = setting(
        30, rule="S3", ge=0, description="Days booking is restricted after too many no-shows.")
    overnight_requires_registration: bool = setting(
        True, rule="S5", description="Overnight runs only through a registered request.")
    slot_end_grace_seconds: int = setting(
        0, rule="S2", ge=0, le=60, description="Seconds after slot end before the cut-off.")
    slot_end_warning_minutes: int = setting(
        10, rule="S2", ge=1, le=120,
        description="Minutes before the slot's end when the session (JupyterLab, remote desktop, "
                    "hub pages) warns that it will be stopped.")
    token_lifetime_seconds: int = setting(
        4 * 3600 + 60, rule="S1", ge=60, description="Hub/OAuth tokens expire within a slot.")
    sandbox_memory_mb: int = setting(4096, rule="S1", ge=256, description="Session memory cap.")
    sandbox_cpu_percent: int = setting(100, rule="S1", ge=10, description="Session CPU cap.")
    sandbox_max_processes: int = setting(256, rule="S1", ge=16, description="Session pids cap.")
    workspace_quota_mb: int = setting(
        20480, rule="S1", ge=8,
        description="Size of each case's workspace: a file system of its own (an ext4 image "
                    "loop-mounted by the hub), so a session writing without end gets ENOSPC "
                    "there and never fills the host's disk.")
    scratch_tmpfs_mb: int = setting(
        512, rule="S1", ge=16,
        description="Size of each of a session's scratch file systems (/tmp, /var/tmp, home, "
                    "/dev/shm: memory, also charged to the session's memory limit).")
    sandbox_log_max_mb: int = setting(
        64, rule="S1", ge=1,
        description="Of a session's stdout/stderr, at most this much goes into its log file on "
                    "the host per run; the rest is dropped (one line says so).")
    sandbox_require_cgroups: bool = setting(
        True, rule="S1",
        description="Refuse to start a session (or overnight run, or query broker) whose "
                    "CPU/memory/process cgroup limits cannot be applied; off only where the "
                    "host cannot apply them, and every such start is recorded in the audit log.")
    sandbox_uid_base: int = setting(
        200000, rule="S1", ge=1000,
        description="Each researcher's session runs as uid base+account id (never root).")
    sandbox_gid_base: int = setting(
        300000, rule="S1", ge=1000,
        description="Each case's workspace group is gid base+case id (case members share it).")
    slot_end_check_seconds: int = setting(
        10, rule="S2", ge=1, le=30,
        description="How often the warden looks for sessions past their slot end.")
    auth_refresh_seconds: int = setting(
        30, rule="S2", ge=5, le=60,
        description="Browser/API logins are re-checked against the booking this often.")
    overnight_registration_lead_hours: int = setting(
        24, rule="S5", ge=0,
        description="An overnight run must be registered this long before it starts.")
    purpose_min_length: int = setting(
        10, rule="A3", ge=1,
        description="The purpose of the day's work given at session start (characters).")
    query_max_result_rows: int = setting(
        2_000_000, rule="A3", ge=1,
        description="Rows one query through the broker may return (larger results refused).")
    query_max_result_bytes: int = setting(
        512 * 1024 * 1024, rule="A3", ge=1024,
        description="Bytes (Arrow) one query through the broker may return.")
    broker_uid_base: int = setting(
        400000, rule="S1", ge=1000,
        description="A case's query broker runs as uid/gid base+case id (never a session uid).")
    broker_memory_mb: int = setting(
        4096, rule="S1", ge=256, description="Memory cap of a session's query broker.")
    broker_cpu_percent: int = setting(
        100, rule="S1", ge=10,
        description="CPU cap of a session's query broker (percent of one core); its DuckDB and "
                    "Arrow compute threads are sized to it (the cap rounded up to whole cores), "
                    "not to the host's cores.")
    sandbox_network: str = setting(
        "loopback-only", rule="S7", description="Sessions see no network but the hub proxy.",
        pattern="^loopback-only$")
    # --- the browser channel (hub_config.singleuser; docs/sessions.md "Browser channel") ---
    access_mode: str = setting(
        "remote", rule="S1", pattern="^(remote|on_site)$",
        description="remote: the browser gets pixels only (a remote desktop); on_site: the "
                    "session is served only to the booked seat's registered workstation (S4).")
    output_max_message_bytes: int = setting(
        65536, rule="S1", ge=1024,
        description="Bytes of one kernel message sent to a browser (larger parts cut).")
    output_max_execution_bytes: int = setting(
        262144, rule="S1", ge=1024,
        description="Output bytes one cell execution may send to the browser in all.")
    output_max_session_bytes: int = setting(
        16 * 1024 * 1024, rule="S1", ge=1024,
        description="Bytes of new output (kernel messages, stored notebook outputs, directory "
                    "listings) one session may send to the browser in all; then only notes.")
    output_max_session_lines: int = setting(
        50_000, rule="S1", ge=100,
        description="Text lines and table rows of new output one session may send in all.")
    # What the browser channel charges for what is not content of its own (S1/D4): each is a
    # bound on what a choice can tell, not a size - see docs/sessions.md "Browser channel".
    output_repeat_bytes: int = setting(
        4, rule="S1", ge=1,
        description="What showing something shown before costs from the session's output "
                    "budget (its order and presence are a choice among fewer than 2**32 "
                    "things: 4 bytes); also what a line typed before costs inbound.")
    output_repeat_reserve_permille: int = setting(
        125, rule="S1", ge=0, le=1000,
        description="How far (per mille of the session's output budget) repeats, statuses and "
                    "state polls may go on past the budget, so that what was shown stays "
                    "visible for a while after new output stops.")
    output_state_poll_bytes: int = setting(
        16, rule="S1", ge=1,
        description="What an answer carrying the kernels' state (execution_state, "
                    "last_activity) costs from the output budget, per kernel and once more "
                    "for the answer.")
    output_max_text_lines: int = setting(
        100, rule="S1", ge=1, description="Lines of one text output sent to a browser.")
    output_max_table_rows: int = setting(
        30, rule="S1", ge=1, description="Rows of one rendered (HTML) table sent to a browser.")
    output_mime_types: list[str] = setting(
        default_factory=lambda: ["text/plain", "text/html", "text/markdown", "text/latex",
                                 "image/png", "image/jpeg", "image/svg+xml"],
        rule="S1", description="Output formats a browser may receive; others are dropped.")
    saved_file_max_bytes: int = setting(
        2 * 1024 * 1024, rule="D4", ge=1024,
        description="Largest notebook or code file a browser may save (typed work, not data).")
    saved_new_bytes_per_session: int = setting(
        4 * 1024 * 1024, rule="D4", ge=1024,
        description="New bytes one session's browser may save in all (lines a file did not "
                    "hold, outputs it was never shown); more is an upload, refused.")
    saved_action_bytes: int = setting(
        64, rule="D4", ge=1,
        description="What a request that changes what a kernel can see (a save, a delete, an "
                    "interrupt, a kernel started, a websocket opened) costs at least from the "
                    "upload budget, body or not.")
    saved_file_suffixes: list[str] = setting(
        default_factory=lambda: [".ipynb", ".py", ".r", ".sql", ".md", ".txt"],
        rule="D4", description="What a browser may save; everything else enters by import "
                               "review only.")
    desktop_geometry: str = setting(
        "1600x900", rule="S1", pattern=r"^\d{3,4}x\d{3,4}$",
        description="Remote-desktop screen size (remote access mode).")
    desktop_key_events_per_second: int = setting(
        50, rule="D4", ge=1,
        description="Key events (presses and releases) a second the remote desktop takes from "
                    "the viewer - 25 characters a second, above the fastest typists; faster "
                    "input is a script typing data in and closes the connection.")
    desktop_key_events_burst: int = setting(
        300, rule="D4", ge=1,
        description="Key events the remote desktop takes at once above that rate (a held "
                    "key's auto-repeat, shortcuts).")
    desktop_key_events_per_session: int = setting(
        400_000, rule="D4", ge=100,
        description="Key events one session's server takes from its viewers in all (a "
                    "half-day of steady typing is well under 100 000).")
    desktop_pointer_events_per_second: int = setting(
        120, rule="D4", ge=10,
        description="Pointer events a second the remote desktop takes (noVNC sends about 60 "
                    "while the mouse moves); more are dropped.")

    @field_validator("weekdays")
    @classmethod
    def _weekday_range(cls, v: list[int]) -> list[int]:
        bad = [d for d in v if d < 0 or d > 6]
        if bad:
            raise ValueError(f"weekdays must be 0 (Mon) … 6 (Sun); got {bad}")
        return v

    @property
    def broker_compute_threads(self) -> int:
        """Threads a broker's DuckDB and Arrow compute pools get: its CPU cap in whole cores,
        rounded up (both default to the host's cores, which on a large node are many times the
        cap: the surplus threads only wait on the cgroup's quota)."""
        return -(-self.broker_cpu_percent // 100)
