"""The egress request manifest (E4): what each file is and, for tables, what each column is.

A manifest is YAML or JSON.  ``version`` is the format version (currently 1); a later format
gets a new number and :func:`load_manifest` refuses numbers it does not know, so an old engine
never half-understands a new request.  See ``docs/egress-manifest.md``.
"""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MANIFEST_VERSION = 1

FileKind = Literal["table", "figure", "text", "code", "notebook", "model"]
Role = Literal["group", "count", "statistic", "suppressed", "estimate"]
# What a file of kind 'table' is: a plain table, or an output with its own rules (egress engine).
OutputKind = Literal["table", "regression", "survival"]
Statistic = Literal["count", "mean", "median", "min", "max", "percentile", "sum", "rate",
                    "percent", "std"]

# Labels that mark a margin (total) category in a grouping column.
DEFAULT_TOTAL_LABELS = ("All", "Total", "TOTAL", "total", "合計", "總計", "小計")


class ManifestError(ValueError):
    """A manifest is unreadable or invalid; the message names the file and the key."""


def _said(value: str, what: str) -> str:
    """Free text the requester must fill: blank, or only invisible characters (zero-width
    spaces, format marks), says nothing about the file and is refused (E4)."""
    import unicodedata

    if not any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Mn")
               for ch in value):
        raise ValueError(f"{what} is empty (only spaces or invisible characters): say what it is")
    return value


class ColumnRole(BaseModel):
    """What one column of a table holds.

    - ``group``: a grouping key (a category value per row).
    - ``count``: a count of units (persons) per row.
    - ``suppressed``: a count column in which empty cells are deliberate suppression (the engine
      then checks that the suppression really protects them: intervals, differencing).
    - ``statistic``: a statistic (``statistic`` says which) resting on the units counted in
      ``units_column`` (for rates and percents ``units_column`` is the numerator's units and
      ``denominator_column`` the denominator's).
    - ``estimate``: a model estimate (coefficient, standard error, test statistic, p-value,
      confidence bound, survival probability): judged by the rules of the file's ``output``.
    """
    model_config = ConfigDict(extra="forbid")

    role: Role
    statistic: Statistic | None = None
    units_column: str | None = None
    denominator_column: str | None = None
    percentile: float | None = Field(None, gt=0, lt=1, description="which percentile (0-1)")
    # Evidence of disclosure treatment for extreme statistics (min/max), E2.
    rounded_to: float | None = Field(None, gt=0)
    top_coded_at: float | None = None
    bottom_coded_at: float | None = None
    # E3: per row, the largest contributions then the cell total, as the requester states them
    # for a magnitude statistic without a provenance sidecar.  A claim: it can make the verdict
    # stricter (dominance shown) but never pass a cell on its own.
    contributions: list[list[float]] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ColumnRole":
        if self.role == "statistic" and self.statistic is None:
            raise ValueError("role 'statistic' needs 'statistic' (count, mean, median, ...)")
        if self.role != "statistic" and (self.statistic not in (None, "count")):
            raise ValueError(f"'statistic: {self.statistic}' only goes with role 'statistic'")
        if self.denominator_column and self.statistic not in ("rate", "percent"):
            raise ValueError("'denominator_column' only goes with statistic 'rate' or 'percent'")
        if self.contributions is not None:
            if self.statistic not in ("sum", "mean"):
                raise ValueError("'contributions' only go with statistic 'sum' or 'mean'")
            for k, row in enumerate(self.contributions):
                if len(row) < 2:
                    raise ValueError(f"contributions[{k}]: give the largest contributions, then "
                                     "the cell total (at least two numbers)")
        return self


class LevelFacts(BaseModel):
    """Persons (and events, for a binary or time-to-event outcome) in one covariate level."""
    model_config = ConfigDict(extra="forbid")

    n: int = Field(..., ge=0)
    events: int | None = Field(None, ge=0)


class ModelFacts(BaseModel):
    """What a regression rests on, as the requester states it (a claim: it can only add
    findings; a sidecar sealed by the query broker carries the same keys under ``model``)."""
    model_config = ConfigDict(extra="forbid")

    family: Literal["ols", "logistic", "poisson", "cox", "other"] = "other"
    n_obs: int | None = Field(None, ge=0)
    df_resid: float | None = None
    n_params: int | None = Field(None, ge=0)
    n_events: int | None = Field(None, ge=0)
    levels: dict[str, dict[str, LevelFacts]] = Field(default_factory=dict)


NAME_MAX = 255  # bytes of one file or folder name on the service's file systems


def _safe_relpath(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty relative path")
    p = PurePosixPath(value.replace("\\", "/"))
    if p.is_absolute() or value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
        raise ValueError(f"{what} {value!r} must be relative, not absolute")
    if ".." in p.parts:
        raise ValueError(f"{what} {value!r} must not contain '..'")
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in p.parts):
        # the service writes each file under its name to check it: a longer one failed there
        raise ValueError(f"{what} {value[:60]!r}…: a name in it is longer than {NAME_MAX} bytes")
    return str(p)


class ManifestFile(BaseModel):
    """One file of the request.

    For wide tables (a crosstab with one column per category), ``column_group`` names the
    variable spread over the columns and ``default_role`` applies to every column not listed in
    ``columns``.  ``population`` names the set of persons a table counts (tables with the same
    population are linked for differencing); ``population_within`` declares it nested in
    another population of the request or the case's history.
    """
    model_config = ConfigDict(extra="forbid")

    path: str
    kind: FileKind
    description: str = Field(..., min_length=1)
    columns: dict[str, ColumnRole] = Field(default_factory=dict)
    default_role: ColumnRole | None = None
    column_group: str | None = None
    total_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_TOTAL_LABELS))
    population: str = "cohort"
    population_within: str | None = None
    provenance: str | None = None
    sheet: str | None = None
    # output kinds with their own rules (docs/egress-engine.md): a regression's coefficient
    # table (with ``model`` facts) or a Kaplan–Meier table
    output: OutputKind = "table"
    model: ModelFacts | None = None
    # a figure's numbers: the path of a table file of the same request holding every bar/point
    data: str | None = None

    @field_validator("path")
    @classmethod
    def _path_ok(cls, v: str) -> str:
        return _safe_relpath(v, "path")

    @field_validator("description")
    @classmethod
    def _description_ok(cls, v: str) -> str:
        return _said(v, "description")

    @field_validator("provenance")
    @classmethod
    def _prov_ok(cls, v: str | None) -> str | None:
        return None if v is None else _safe_relpath(v, "provenance")

    @field_validator("data")
    @classmethod
    def _data_ok(cls, v: str | None) -> str | None:
        return None if v is None else _safe_relpath(v, "data")

    @model_validator(mode="after")
    def _table_needs_columns(self) -> "ManifestFile":
        if self.kind == "table" and not self.columns and self.default_role is None:
            raise ValueError("a table needs 'columns' (the role of each column) or 'default_role'")
        if self.kind != "table" and (self.columns or self.default_role):
            raise ValueError(f"'columns' only go with kind 'table', not {self.kind!r}")
        if self.kind != "table" and (self.output != "table" or self.model is not None):
            raise ValueError("'output' and 'model' only go with kind 'table'")
        if self.model is not None and self.output != "regression":
            raise ValueError("'model' only goes with 'output: regression'")
        if self.data is not None and self.kind != "figure":
            raise ValueError("'data' (a figure's numbers) only goes with kind 'figure'")
        for name, role in self.columns.items():
            for ref in (role.units_column, role.denominator_column):
                if ref is not None and ref not in self.columns and self.default_role is None:
                    raise ValueError(f"column {name!r} refers to {ref!r}, which is not in 'columns'")
        return self

    def provenance_path(self) -> str | None:
        """Where this table's provenance sidecar is (declared, else ``<path>.provenance.json``).

        The sidecar is checking input only: store it with the request, never release it."""
        if self.kind != "table":
            return None
        return self.provenance or f"{self.path}.provenance.json"

    def role_of(self, column: str) -> ColumnRole | None:
        return self.columns.get(column, self.default_role)


class Manifest(BaseModel):
    """An egress request: case, purpose (E4) and the files with what each is."""
    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    case_code: str = Field(..., min_length=1)
    purpose: str = Field(..., min_length=1, description="E4: content and purpose of the export")
    files: list[ManifestFile] = Field(..., min_length=1)

    @field_validator("purpose", "case_code")
    @classmethod
    def _text_ok(cls, v: str, info) -> str:
        return _said(v, info.field_name)

    @model_validator(mode="after")
    def _unique_paths(self) -> "Manifest":
        seen: set[str] = set()
        for f in self.files:
            if f.path in seen:
                raise ValueError(f"file {f.path!r} is listed twice")
            seen.add(f.path)
        return self

    def checking_inputs(self) -> list[str]:
        """Paths (relative) the engine reads besides ``files``: provenance sidecars, if present."""
        return [p for f in self.files if (p := f.provenance_path())]

    def file(self, path: str) -> ManifestFile:
        for f in self.files:
            if f.path == path:
                return f
        raise KeyError(path)


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """'files[1] (table.csv).columns.n' style location for an error."""
    out: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict) \
                    and "path" in node[part]:
                label += f" ({node[part]['path']})"
            out.append(label)
        else:
            out.append(("." if out else "") + str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(out) or "(top level)"


def parse_manifest(data: Any, source: str = "<manifest>") -> Manifest:
    if not isinstance(data, dict):
        raise ManifestError(f"{source}: expected a mapping, got {type(data).__name__}")
    if "version" in data and data["version"] != MANIFEST_VERSION:
        raise ManifestError(f"{source}: version: unsupported manifest version {data['version']!r}"
                            f" (this engine reads version {MANIFEST_VERSION})")
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        problems = [f"{source}: {_where(tuple(err['loc']), data)}: {err['msg']}" for err in e.errors()]
        raise ManifestError("invalid manifest:\n  " + "\n  ".join(problems)) from None


def _no_twice(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    if twice := sorted({k for k in keys if keys.count(k) > 1}):
        raise ManifestError(f"key {twice[0]!r} is given twice in one mapping: a reader of the "
                            "manifest would see one value and the engine use the other")
    return dict(pairs)


class _OnceLoader(yaml.SafeLoader):
    """YAML whose mappings may name a key once (PyYAML keeps the last of two silently)."""


def _construct_once(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    # keys written in this mapping, before a merge (<<: *anchor) brings in keys it may override
    written = [(loader.construct_object(k, deep=True), None) for k, _ in node.value
               if k.tag != "tag:yaml.org,2002:merge"]
    try:
        _no_twice(written)
    except ManifestError as e:
        raise yaml.constructor.ConstructorError(None, None, str(e), node.start_mark) from None
    loader.flatten_mapping(node)
    return dict((loader.construct_object(k, deep=True), loader.construct_object(v, deep=True))
                for k, v in node.value)


_OnceLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_once)


def loads_manifest_text(text: str, *, json_text: bool) -> Any:
    """The manifest's data from JSON or YAML text; a key given twice in one mapping (``kind:
    table`` then ``kind: model``) is refused - the person reading the manifest sees the first
    and every parser keeps the last (E4: the manifest must say one thing)."""
    if json_text:
        return json.loads(text, object_pairs_hook=_no_twice)
    return yaml.load(text, Loader=_OnceLoader)  # noqa: S506 - a SafeLoader subclass


def load_manifest(path: str | Path) -> Manifest:
    """Read a YAML or JSON manifest; errors name the file, the key and the reason."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: manifest not found") from None
    except UnicodeDecodeError as e:
        raise ManifestError(f"{path}: not UTF-8 ({e.reason} at byte {e.start})") from None
    try:
        data = loads_manifest_text(text, json_text=path.suffix.lower() == ".json")
    except ManifestError as e:
        raise ManifestError(f"{path}: {e}") from None
    except json.JSONDecodeError as e:
        raise ManifestError(f"{path}: line {e.lineno} column {e.colno}: invalid JSON: {e.msg}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}:" if mark else ""
        raise ManifestError(f"{path}:{where} invalid YAML: {getattr(e, 'problem', e)}") from None
    return parse_manifest(data, str(path))


def dump_manifest(manifest: Manifest) -> str:
    """The manifest as YAML (stable key order), e.g. to store next to a submitted request."""
    return yaml.safe_dump(manifest.model_dump(mode="json", exclude_defaults=True),
                          allow_unicode=True, sort_keys=False)
