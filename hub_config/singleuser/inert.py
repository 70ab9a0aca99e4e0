"""Kernel output made inert before it reaches a browser (S1, D4).

JupyterLab trusts the outputs of cells run in the session: an HTML output's ``<script>`` runs,
event handlers fire, an inline SVG's ``onload`` too.  Anything that runs there acts with the
researcher's browser: it can build a file from what the kernel printed and download it
(``<a download href="data:…">``, a ``Blob``), send it to any address the workstation reaches,
or call the server with the browser's own log-in (saving what the kernel chose as if typed).
Links and sources (``data:``, ``blob:``, ``javascript:`` URLs, ``<iframe srcdoc>``, ``<object>``,
CSS ``url()``) do the same without a script.

So every ``text/html`` and ``image/svg+xml`` output is rebuilt from an allow-list - tags that
lay out text and tables, attributes that size and style them, CSS without ``url()``/``@import``
/escapes, SVG shapes with only in-document (``#id``) references and PNG/JPEG images - and
anything else is dropped (script and style bodies with it).  ``text/markdown`` is shown as its
source text (rendered, its raw HTML and links would be active); ``text/latex`` loses
``\\href``/``\\url`` and the other MathJax commands that add attributes.
What is left can be read on the screen and nothing more.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hub_config.singleuser import image_clean

HTML_TAGS = frozenset("""a abbr b blockquote br caption code col colgroup dd del details div dl dt
em h1 h2 h3 h4 h5 h6 hr i ins kbd li mark ol p pre q s samp small span strong style sub
summary sup table tbody td tfoot th thead tr u ul var""".split())
# Dropped with everything inside them.
HTML_DROP_WITH_CONTENT = frozenset("""script style iframe frame frameset object embed applet
template noscript noembed noframes svg math textarea select option title head xmp plaintext
listing canvas video audio picture source track""".split()) - {"style"}
HTML_ATTRS = frozenset("""class id title colspan rowspan align valign border cellpadding
cellspacing width height scope lang dir start type span abbr headers style open""".split())
HTML_VOID = frozenset("""br col hr img wbr input meta link base area param keygen source track
embed""".split())

SVG_TAGS = frozenset("""svg g path rect circle ellipse line polyline polygon text tspan defs
clipPath use desc style linearGradient radialGradient stop pattern mask symbol marker
image""".split())
SVG_ATTR_BLOCKED = re.compile(r"^(on|formaction$|action$|src$|srcdoc$|attributeName$)", re.I)
LOCAL_URL = re.compile(r"url\(\s*['\"]?#[\w.:-]+['\"]?\s*\)", re.I)
CSS_BAD = ("url(", "@import", "expression", "javascript:", "behavior", "binding", "\\", "<",
           "image-set(", "image(", "cross-fade(", "element(", "@font-face", "src:")
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*$")


def safe_css(css: str) -> bool:
    """CSS that fetches nothing and hides nothing: no url() but to #ids, no @import, no escapes."""
    text = re.sub(r"/\*.*?\*/", "", str(css), flags=re.S)
    text = LOCAL_URL.sub("", text).lower()
    text = re.sub(r"\s+", "", text)
    return not any(bad in text for bad in CSS_BAD)


class _Rebuild(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip = 0  # inside a tag dropped with its content
        self.style: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if self.skip:
            if tag in HTML_DROP_WITH_CONTENT and tag not in HTML_VOID:
                self.skip += 1
            return
        if tag == "style":
            self.style = []
            return
        if tag in HTML_DROP_WITH_CONTENT:
            if tag not in HTML_VOID:
                self.skip = 1
            return
        if tag not in HTML_TAGS:
            return  # unknown or active (form, img, link, meta, base...): children kept as text
        kept = []
        for name, value in attrs:
            name = name.lower()
            value = "" if value is None else value
            if name not in HTML_ATTRS or (name == "style" and not safe_css(value)):
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in HTML_VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() in self.open[-1:] and tag.lower() not in HTML_VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        tag = tag.lower()
        if self.skip:
            if tag in HTML_DROP_WITH_CONTENT:
                self.skip -= 1
            return
        if tag == "style" and self.style is not None:
            css = "".join(self.style)
            if safe_css(css):
                # raw: CSS has no entities, and safe_css refused any "<" (so no "</style")
                self.out.append(f"<style>{css}</style>")
            self.style = None
            return
        if tag in self.open:
            while self.open:
                t = self.open.pop()
                self.out.append(f"</{t}>")
                if t == tag:
                    break

    def handle_data(self, data):
        if self.skip:
            return
        if self.style is not None:
            self.style.append(data)
            return
        self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def inert_html(text: str) -> str:
    p = _Rebuild()
    p.feed(str(text))
    return p.result()


def inert_svg(text: str) -> str | None:
    """The SVG rebuilt from the allow-list, or None if it is not well-formed SVG."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(str(text).encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if not isinstance(root.tag, str) or etree.QName(root).localname != "svg":
        return None
    _clean_svg(root)
    return etree.tostring(root, encoding="unicode")


def _clean_svg(el) -> None:
    from lxml import etree

    local = etree.QName(el).localname
    for name in list(el.attrib):
        attr = etree.QName(name).localname
        value = el.attrib[name]
        squeezed = re.sub(r"\s+", "", value).lower()
        if SVG_ATTR_BLOCKED.match(attr) or "javascript:" in squeezed:
            del el.attrib[name]
        elif attr == "href" and not (value.startswith("#") or (
                local == "image" and IMAGE_DATA.match(value))):
            del el.attrib[name]
        elif attr == "href" and local == "image" and not value.startswith("#"):
            # an embedded picture is re-encoded from its pixels like an image output
            mime = "image/" + IMAGE_DATA.match(value).group(1)
            picture = image_clean.clean(mime, value.split(",", 1)[1])
            if picture is None:
                del el.attrib[name]
            else:
                el.attrib[name] = f"data:{mime};base64,{picture}"
        elif ("url(" in squeezed or attr == "style") and not safe_css(value):
            del el.attrib[name]
    if local == "style" and not safe_css(el.text or ""):
        el.text = ""
    for child in list(el):
        if not isinstance(child.tag, str) or etree.QName(child).localname not in SVG_TAGS:
            el.remove(child)  # with everything inside it (script, foreignObject, a, set...)
            continue
        _clean_svg(child)


def inert_latex(text: str) -> str:
    return re.sub(r"\\(href|url|class|cssId|style|data|unicode|require)\b", r"\\text",
                  str(text))
