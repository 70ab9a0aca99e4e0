"""What a steward load reports: rows read = loaded + quarantined, per file and in all."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class FileReport:
    file: str
    family: str
    year: str | None
    encoding: str
    format: str
    sha256: str
    bytes: int
    read: int = 0
    loaded: int = 0
    quarantined: int = 0

    @property
    def reconciled(self) -> bool:
        return self.read == self.loaded + self.quarantined


@dataclass
class LoadReport:
    release: str
    path: str
    created: str
    files: list[FileReport] = field(default_factory=list)
    dicom_files: int = 0
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)
    cpu_timings: dict = field(default_factory=dict)
    worker_timings: dict = field(default_factory=dict)  # free text / DICOM, overlapped
    worker_cpu_timings: dict = field(default_factory=dict)  # their own threads' CPU seconds
    parts: list = field(default_factory=list)   # per worker process, when spread over several

    @property
    def rows_read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(rows_read=self.rows_read, rows_loaded=self.rows_loaded,
                 rows_quarantined=self.rows_quarantined,
                 reconciled=all(f.reconciled for f in self.files))
        for f, fd in zip(self.files, d["files"]):
            fd["reconciled"] = f.reconciled
        return d
