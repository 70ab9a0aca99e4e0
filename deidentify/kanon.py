"""k-anonymity report on quasi-identifiers (RULES.md D1, D3).

Equivalence classes are the combinations of quasi-identifier values; a class's size counts
distinct persons (pseudonyms) when a person column is present, otherwise rows.  The report lists
the smallest class, how many classes and persons fall below ``k``; it reports, it does not
suppress - the steward or the committee decides.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class KReport:
    table: str
    quasi_identifiers: list[str]
    unit: str                 # 'persons' or 'rows'
    k: int
    classes: int = 0
    k_min: int = 0
    classes_below_k: int = 0
    units_below_k: int = 0
    units: int = 0
    smallest: list[dict] = field(default_factory=list)
    # classes by size: one bucket per size below k, then doubling ranges [k, 2k-1], [2k, 4k-1] ...
    histogram: list[dict] = field(default_factory=list)

    @property
    def satisfied(self) -> bool:
        return self.classes_below_k == 0

    def to_dict(self) -> dict:
        """What is written down (the k report beside an extract, the audit record, JSON output):
        counts and the size histogram only.  ``smallest`` - the quasi-identifier values of
        classes below k - are the rare persons' own values; they stay in memory."""
        d = asdict(self)
        del d["smallest"]
        d["satisfied"] = self.satisfied
        d["share_below_k"] = round(self.units_below_k / self.units, 6) if self.units else 0.0
        return d


def k_anonymity(con, relation: str, quasi_identifiers: list[str], k: int,
                person_column: str | None = None, name: str | None = None) -> KReport:
    """k-anonymity of ``relation`` (a table, view or ``(SELECT …)``) over the given QIs."""
    qi = ", ".join(f'"{c}"' for c in quasi_identifiers)
    unit = f'count(DISTINCT "{person_column}")' if person_column else "count(*)"
    rep = KReport(name or relation, list(quasi_identifiers), "persons" if person_column else "rows", k)
    if not quasi_identifiers:
        return rep
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kclasses AS SELECT {qi}, {unit} AS n "
                f"FROM {relation} GROUP BY ALL")
    row = con.execute("SELECT count(*), coalesce(min(n), 0), count(*) FILTER (WHERE n < $k), "
                      "coalesce(sum(n) FILTER (WHERE n < $k), 0), coalesce(sum(n), 0) FROM _kclasses",
                      {"k": k}).fetchone()
    rep.classes, rep.k_min, rep.classes_below_k, rep.units_below_k, rep.units = (int(x) for x in row)
    cols = [d[0] for d in con.execute("SELECT * FROM _kclasses LIMIT 0").description]
    rep.smallest = [dict(zip(cols, [str(v) if v is not None else None for v in r]))
                    for r in con.execute("SELECT * FROM _kclasses WHERE n < $k ORDER BY n LIMIT 10",
                                         {"k": k}).fetchall()]
    sizes = con.execute("SELECT n, count(*) FROM _kclasses GROUP BY n ORDER BY n").fetchall()
    rep.histogram = size_histogram([(int(n), int(c)) for n, c in sizes], k)
    con.execute("DROP TABLE _kclasses")
    return rep


def size_histogram(sizes: list[tuple[int, int]], k: int) -> list[dict]:
    """``[(class size, classes)]`` -> buckets ``{size_from, size_to, classes, below_k}``."""
    if not sizes:
        return []
    top = max(n for n, _ in sizes)
    edges = [(n, n) for n in range(1, k)]
    lo = max(k, 1)
    while lo <= top:
        edges.append((lo, 2 * lo - 1))
        lo *= 2
    out = []
    for a, b in edges:
        c = sum(cnt for n, cnt in sizes if a <= n <= b)
        out.append({"size_from": a, "size_to": b, "classes": c, "below_k": b < k})
    while out and out[-1]["classes"] == 0:  # no empty tail
        out.pop()
    return out
