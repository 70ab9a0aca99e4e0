"""Hidden controls in a multipart form's words, refused before the app reads any of it (A3, A5, E4).

A form with files (an egress submission, an import, an announcement with attachments) carries
words too: field values, field names and the files' names, shown to reviewers and written to
the audit log like any other.  Reading the whole body into memory to look at them (as a JSON
body is) was capped at 8 MB, so one large attachment, or a body sent in chunks without a
length, let a title with a right-to-left override through.  Here the body is read once as it
arrives, spooled (to disk past ``SPOOL_IN_MEMORY``), its parts' headers and non-file values
scanned on the way by the same multipart parser Starlette uses; then the same bytes are handed
to the app.  File contents are data for the checks, not words, and are not looked at.  A body
the parser cannot read is refused too (default deny: what is not read is not passed).

Every body is bounded before any of it reaches the app (413): one from nobody logged in (no
live session behind its cookie or bearer token) at ``ANONYMOUS_MAX`` - a log-in form or a token
request is a few hundred bytes, and an outsider must not fill the disk or the memory with what
this guard and ``factory`` would otherwise spool or read whole; one from a logged-in caller at
the largest upload the app's policy accepts (``body_limit``), a JSON or urlencoded body at
``WORDS_MAX`` (it is read into memory for its words).
"""
from __future__ import annotations

import codecs
import tempfile

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.responses import JSONResponse

from enclave.core import text_guard

SPOOL_IN_MEMORY = 8 << 20      # bytes of a body kept in memory; the rest goes to a temporary file
CHUNK = 1 << 16
ANONYMOUS_MAX = 1 << 20        # any body from nobody logged in
WORDS_MAX = 8 << 20            # a JSON or urlencoded body (read into memory for its words)
MULTIPART_OVERHEAD = 1 << 20   # part headers, the manifest and other fields beside the files


def body_limit(policy) -> int:
    """The largest multipart body a logged-in caller may send: the policy's largest upload
    (an egress request, one import file, an announcement attachment) and the form around it."""
    sizes = [getattr(getattr(policy, sec, None), name, 0) or 0 for sec, name in (
        ("egress", "max_request_bytes"), ("egress", "import_max_file_bytes"),
        ("operations", "announcement_attachment_max_bytes"))]
    return max([*sizes, ANONYMOUS_MAX]) + MULTIPART_OVERHEAD


class TooLarge(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class MultipartTextGuard:
    """ASGI middleware: every body bounded (``_Limits``), a multipart body's words checked by
    :mod:`enclave.core.text_guard`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        ctype, params = _content_type(scope)
        multipart = ctype == b"multipart/form-data"
        limits = _Limits(scope, multipart)
        declared = _content_length(scope)
        scan = _WordScan(params.get(b"boundary", b"")) if multipart else None
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        try:
            size = 0
            if declared is not None:
                await limits.check(declared)      # refused before a byte is read
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return                        # the client left: nothing to answer
                body = message.get("body", b"")
                size += len(body)
                await limits.check(size)
                spool.write(body)
                if scan is not None:
                    scan.write(body)
                if not message.get("more_body", False):
                    break
            problem = scan.finish() if scan is not None else None
            if problem:
                await JSONResponse({"detail": problem}, status_code=422)(scope, receive, send)
                return
            spool.seek(0)
            await self.app(scope, _replay(spool, size, receive), send)
        except TooLarge as e:
            await JSONResponse({"detail": e.why}, status_code=413,
                               headers={"Connection": "close"})(scope, receive, send)
        finally:
            spool.close()


class _Limits:
    """How many bytes this request's body may have: ANONYMOUS_MAX until a live session stands
    behind its credentials (looked up once, only when a body grows past that)."""

    def __init__(self, scope, multipart: bool) -> None:
        self.scope, self.multipart = scope, multipart
        self.limit = ANONYMOUS_MAX
        self.known = False

    async def check(self, size: int) -> None:
        if size <= self.limit:
            return
        if not self.known:
            self.known = True
            import anyio

            if await anyio.to_thread.run_sync(self._logged_in):
                state = getattr(self.scope.get("app"), "state", None)
                policy = getattr(state, "policy", None)
                self.limit = body_limit(policy) if self.multipart else WORDS_MAX
                if size <= self.limit:
                    return
            else:
                raise TooLarge(f"a body over {ANONYMOUS_MAX} bytes needs a log-in first "
                               f"(請先登入 log in first)")
        raise TooLarge(f"the body is over {self.limit} bytes, the largest this service accepts "
                       f"(內容過大 too large)")

    def _logged_in(self) -> bool:
        from enclave.db import session_scope
        from enclave.identity.sessions import user_for_token

        token = _credential(self.scope)
        state = getattr(self.scope.get("app"), "state", None)
        url = getattr(state, "db_url", None)
        if not token or not url:
            return False                          # default deny: nobody shown to be logged in
        try:
            with session_scope(url) as db:
                return user_for_token(db, token, policy=getattr(state, "policy", None)) is not None
        except Exception:                         # noqa: BLE001 - unreadable: not logged in
            return False


def _credential(scope) -> str | None:
    from http.cookies import SimpleCookie

    from enclave.web.auth import COOKIE

    for name, value in scope.get("headers", ()):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return value[7:].decode("latin-1").strip()
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:                     # noqa: BLE001 - a cookie header we cannot read
                continue
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _content_type(scope) -> tuple[bytes, dict]:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            ctype, params = parse_options_header(value)
            return ctype.lower(), params
    return b"", {}


def _replay(spool, size: int, receive):
    sent = 0

    async def replay():
        nonlocal sent
        if sent < size or size == 0 and sent == 0:
            chunk = spool.read(CHUNK)
            sent += len(chunk) or 1               # an empty body is sent once, as one message
            return {"type": "http.request", "body": chunk, "more_body": sent < size}
        return await receive()                    # after the body: the client's disconnect
    return replay


class _WordScan:
    """The first hidden control in the parts' names, file names and non-file values."""

    def __init__(self, boundary: bytes):
        self.problem: str | None = None
        self._field = self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self._decoder = None                      # set for a non-file part
        if not boundary:
            self.problem = "multipart body without a boundary: it cannot be read"
            self._parser = None
            return
        self._parser = MultipartParser(boundary, callbacks={
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done, "on_part_data": self._data,
            "on_part_end": self._end})

    def write(self, chunk: bytes) -> None:
        if self.problem is None and chunk:
            try:
                self._parser.write(chunk)
            except Exception as e:                # noqa: BLE001 - whatever the parser refuses
                self.problem = f"multipart body cannot be read: {e}"

    def finish(self) -> str | None:
        if self.problem is None:
            try:
                self._parser.finalize()
            except Exception as e:                # noqa: BLE001
                self.problem = f"multipart body cannot be read: {e}"
        return self.problem

    def _look(self, text: str, where: str) -> None:
        if self.problem is None and (bad := text_guard.unsafe_char(text)):
            self.problem = f"{where}: {text_guard.message(bad)}"

    def _begin(self) -> None:
        self._headers, self._decoder = {}, None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        self._look(name, "form field name")
        if b"filename" in options or b"filename*" in options:
            for key in (b"filename", b"filename*"):
                self._look(options.get(key, b"").decode("utf-8", "replace"), f"file name of {name!r}")
        else:                                     # a value: words, looked at as they come
            self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
            self._name = name

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._decoder is not None:
            self._look(self._decoder.decode(data[start:end]), f"form field {self._name!r}")

    def _end(self) -> None:
        if self._decoder is not None:
            self._look(self._decoder.decode(b"", final=True), f"form field {self._name!r}")
