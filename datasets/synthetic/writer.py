"""The generator's output files: one per family and year, CSV (UTF-8/Big5) or fixed width,
hashed as they are written."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from datasets.schemas import FAMILIES


class Writer:
    """Per (family, year) output files in CSV (UTF-8/Big5) or fixed width; hashes as it writes."""

    def __init__(self, out: Path, encoding: str, fixed_width: bool):
        self.out, self.encoding, self.fw = out, encoding, fixed_width
        self.files: dict[tuple[str, str | None], dict] = {}

    def _open(self, fam: str, year: str | None) -> dict:
        key = (fam, year)
        if key not in self.files:
            name = f"{fam}_{year}" if year else fam
            path = self.out / (name + (".txt" if self.fw else ".csv"))
            fh = open(path, "wb")
            st = {"path": path, "fh": fh, "rows": 0, "bytes": 0, "sha": hashlib.sha256(),
                  "family": fam, "year": year}
            self.files[key] = st
            if not self.fw:
                self._put(st, (",".join(FAMILIES[fam].names) + "\n").encode(self.encoding))
        return self.files[key]

    def _put(self, st: dict, data: bytes) -> None:
        st["fh"].write(data)
        st["sha"].update(data)
        st["bytes"] += len(data)

    def write(self, fam: str, year: str | None, cols: dict[str, object], n: int) -> None:
        if n == 0:
            return
        f = FAMILIES[fam]
        st = self._open(fam, year)
        if self.fw:
            parts = []
            for c in f.columns:
                v = cols.get(c.name)
                arr = np.full(n, "", dtype=object) if v is None else np.asarray(v, dtype=object)
                s = np.array(["" if x is None else str(x)[:c.width] for x in arr], dtype=f"U{c.width}")
                parts.append(np.char.ljust(s, c.width))
            lines = parts[0]
            for p in parts[1:]:
                lines = np.char.add(lines, p)
            text = "\n".join(lines.tolist()) + "\n"
        else:
            arrays = []
            for c in f.columns:
                v = cols.get(c.name)
                if v is None:
                    arrays.append(pa.nulls(n, pa.string()))
                elif isinstance(v, np.ndarray) and v.dtype.kind in "iuf":
                    arrays.append(pa.array(v))
                elif isinstance(v, np.ndarray) and v.dtype.kind == "U":
                    arrays.append(pa.array(v, pa.string()))
                else:
                    arrays.append(pa.array([None if x is None else str(x) for x in v], pa.string()))
            buf = io.BytesIO()
            pacsv.write_csv(pa.table(arrays, names=f.names), buf,
                            pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            text = buf.getvalue().decode("utf-8")
        self._put(st, text.encode(self.encoding))
        st["rows"] += n

    def close(self) -> list[dict]:
        out = []
        for st in self.files.values():
            st["fh"].close()
            out.append({"file": st["path"].name, "family": st["family"], "year": st["year"],
                        "rows": st["rows"], "bytes": st["bytes"], "sha256": st["sha"].hexdigest()})
        return sorted(out, key=lambda d: d["file"])


def write_by_year(w: Writer, fam: str, years: np.ndarray, cols: dict, n: int) -> int:
    for y in np.unique(years):
        m = years == y
        w.write(fam, str(y), {k: (v[m] if isinstance(v, np.ndarray) else v) for k, v in cols.items()},
                int(m.sum()))
    return n
