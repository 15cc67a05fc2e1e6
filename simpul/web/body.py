"""Request bodies are read whole or refused: never cut short at the size limit.

Werkzeug guards a body without ``Content-Length`` (``Transfer-Encoding: chunked``) by reading
at most ``MAX_CONTENT_LENGTH`` bytes and then stopping quietly, so a larger body arrives cut
at the limit. :class:`CappedRequest` reads one byte past the limit instead, and a body that
has it is refused with 413 however it was sent.
"""

from __future__ import annotations

import typing as t

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream


class _CappedStream(LimitedStream):
    def __init__(self, stream: t.IO[bytes], limit: int):
        super().__init__(stream, limit + 1, is_max=True)
        self.cap = limit

    def readinto(self, b: bytearray) -> int | None:  # type: ignore[override]
        count = super().readinto(b)
        if self._pos > self.cap:
            raise RequestEntityTooLarge()
        return count


class CappedRequest(Request):
    @cached_property
    def stream(self) -> t.IO[bytes]:
        if self.shallow:
            raise RuntimeError("reading the body of a shallow request")
        limit = self.max_content_length
        streamed = self.content_length is None and "wsgi.input_terminated" in self.environ
        if limit is not None and streamed:
            return t.cast(t.IO[bytes], _CappedStream(self.environ["wsgi.input"], limit))
        return get_input_stream(self.environ, max_content_length=limit)
