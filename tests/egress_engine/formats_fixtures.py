"""Files of every format the egress engine reads, made by the tools researchers use
(pandas, openpyxl, pyarrow, nbformat, fpdf2, python-docx, statsmodels) from one table."""
from __future__ import annotations

import io
import json

import pandas as pd


def markdown_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    out = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    return out + "".join("| " + " | ".join(str(v) for v in r) + " |\n" for r in df.itertuples(index=False))


def xlsx_bytes(df: pd.DataFrame, edit=None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "results"
    ws.append([str(c) for c in df.columns])
    for r in df.itertuples(index=False):
        ws.append(list(r))
    if edit is not None:
        edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parquet_bytes(df: pd.DataFrame, metadata: dict | None = None) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.Table.from_pandas(df, preserve_index=False)
    if metadata:
        t = t.replace_schema_metadata({**(t.schema.metadata or {}), **metadata})
    buf = io.BytesIO()
    pq.write_table(t, buf)
    return buf.getvalue()


def feather_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.reset_index(drop=True).to_feather(buf)
    return buf.getvalue()


def json_map(df: pd.DataFrame, label: str, count: str) -> str:
    return json.dumps({count: {str(k): int(v) for k, v in zip(df[label], df[count])}},
                      ensure_ascii=False)


def html_report(df: pd.DataFrame, prose: str = "") -> str:
    return f"<html><body><h1>Results</h1><p>{prose}</p>{df.to_html(index=False)}</body></html>"


def notebook(outputs=(), markdown: str | None = None, metadata: dict | None = None,
             cell_metadata: dict | None = None) -> str:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_code_cell("df", outputs=list(outputs), execution_count=1,
                           metadata=cell_metadata or {})]
    if markdown is not None:
        cells.insert(0, new_markdown_cell(markdown))
    nb = new_notebook(cells=cells)
    if metadata:
        nb.metadata.update(metadata)
    return nbformat.writes(nb)


def display(df: pd.DataFrame):
    """A DataFrame displayed the way Jupyter stores it: HTML and its printed form."""
    from nbformat.v4 import new_output

    return new_output("execute_result", data={"text/html": df.to_html(), "text/plain": repr(df)},
                      execution_count=1)


def stream(text: str, name: str = "stdout"):
    from nbformat.v4 import new_output

    return new_output("stream", name=name, text=text)


def pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    p = FPDF()
    p.add_page()
    p.set_font("helvetica", size=11)
    p.multi_cell(0, 8, text)
    return bytes(p.output())


def docx_bytes(paragraph: str, df: pd.DataFrame | None = None, comment: str | None = None) -> bytes:
    import docx

    d = docx.Document()
    para = d.add_paragraph(paragraph)
    if df is not None:
        t = d.add_table(rows=0, cols=len(df.columns))
        for r in [list(map(str, df.columns))] + [[str(v) for v in r] for r in df.itertuples(index=False)]:
            for c, v in zip(t.add_row().cells, r):
                c.text = v
    if comment is not None:
        d.add_comment(para.runs, text=comment, author="researcher")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def ods_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_excel(buf, engine="odf", index=False)
    return buf.getvalue()


def ols_summary(n: int, seed: int = 0, categorical: bool = False) -> str:
    import numpy as np
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"y": rng.normal(size=n), "x": rng.normal(size=n),
                      "sex": rng.choice(["M", "F"], n)})
    formula = "y ~ x + C(sex)" if categorical else "y ~ x"
    return str(smf.ols(formula, d).fit().summary())
