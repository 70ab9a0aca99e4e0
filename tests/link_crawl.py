"""The crawler of the dead-link tests (issue 16): from a start page, follow every same-site link
of every page reached - ``<a href>``, GET form actions, and the pictures, scripts and style
sheets a page loads - up to a bound.  A front end's test says how to fetch a page (its log-in,
its headers) and judges the answers."""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Callable
from urllib.parse import urljoin, urlsplit

SKIP = ("/logout", "/static/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href") and not a["href"].startswith("#"):
            self.links.append(a["href"])
        if tag in ("img", "script", "link") and (a.get("src") or a.get("href")):
            src = a.get("src") or a.get("href")
            if not src.startswith("data:"):
                self.links.append(src)
        if tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self.links.append(a["action"])


def crawl(get: Callable[[str], object], start: str = "/", *, max_pages: int,
          skip: tuple[str, ...] = SKIP) -> dict[str, tuple[int, str]]:
    """Path -> (status, content type) of every page reached; ``get(path)`` fetches one (an
    httpx or Starlette test client's response, redirects followed).  Another host's links
    (another front end) and paths starting with ``skip`` are not followed."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [start]
    while queue and len(seen) < max_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        r = get(url)
        ctype = r.headers.get("content-type", "")
        seen[url] = (r.status_code, ctype)
        if "text/html" not in ctype:
            continue
        p = _Links()
        p.feed(r.text)
        for href in p.links:
            parts = urlsplit(urljoin(str(r.url), href))
            if parts.netloc and parts.netloc != urlsplit(str(r.url)).netloc:
                continue          # another front end (review, release): not this app's links
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith("/") and not path.startswith(skip) and path not in seen:
                queue.append(path)
    return seen
