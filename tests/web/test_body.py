"""The capped request, in process: a body at the limit is read whole and one byte over is
refused with 413, whether it is sent with Content-Length or chunked (no length, the server
marks the input terminated). ``tests/web/test_body_limit.py`` does the same over real servers."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

from simpul.web.body import CappedRequest

LIMIT = 1000


def app_with_limit(limit: int | None) -> Flask:
    app = Flask(__name__)
    app.request_class = CappedRequest
    app.config["MAX_CONTENT_LENGTH"] = limit
    return app


def environ(body: bytes, *, chunked: bool) -> dict:
    if not chunked:
        return EnvironBuilder(method="POST", data=body).get_environ()
    env = EnvironBuilder(
        method="POST",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked"},
    ).get_environ()
    env.pop("CONTENT_LENGTH", None)
    env["wsgi.input_terminated"] = True  # what a server that de-chunks the body sets
    return env


def read(body: bytes, *, chunked: bool, limit: int | None = LIMIT) -> bytes:
    app = app_with_limit(limit)
    with app.app_context():
        request = CappedRequest(environ(body, chunked=chunked))
        assert (request.content_length is None) is chunked
        return request.get_data()


SENT = pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])


@SENT
def test_a_body_at_the_limit_is_read_whole(chunked):
    body = b"x" * (LIMIT - 1) + b"!"
    assert read(body, chunked=chunked) == body


@SENT
def test_a_body_under_the_limit_is_read_whole(chunked):
    assert read(b"Kode,Nama\nL1,Akta\n", chunked=chunked) == b"Kode,Nama\nL1,Akta\n"


@SENT
def test_one_byte_over_the_limit_is_refused_not_cut_short(chunked):
    with pytest.raises(RequestEntityTooLarge):
        read(b"x" * (LIMIT + 1), chunked=chunked)


@SENT
def test_a_body_far_over_the_limit_is_refused(chunked):
    with pytest.raises(RequestEntityTooLarge):
        read(b"x" * (LIMIT * 50), chunked=chunked)


def test_without_a_limit_a_chunked_body_is_read_whole():
    body = b"y" * (LIMIT * 5)
    assert read(body, chunked=True, limit=None) == body


def test_a_stream_read_in_pieces_is_refused_when_it_passes_the_limit():
    app = app_with_limit(LIMIT)
    with app.app_context():
        request = CappedRequest(environ(b"z" * (LIMIT + 10), chunked=True))
        assert request.stream.read(LIMIT) == b"z" * LIMIT
        with pytest.raises(RequestEntityTooLarge):
            request.stream.read(100)


def test_form_fields_over_the_limit_are_refused_in_a_chunked_body():
    app = app_with_limit(LIMIT)
    body = ("name=" + "a" * LIMIT).encode()
    env = environ(body, chunked=True)
    env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    with app.app_context():
        request = CappedRequest(env)
        with pytest.raises(RequestEntityTooLarge):
            request.form  # noqa: B018


def test_a_shallow_request_refuses_to_read_its_body():
    app = app_with_limit(LIMIT)
    with app.app_context():
        request = CappedRequest(environ(b"abc", chunked=True), shallow=True)
        with pytest.raises(RuntimeError, match="shallow"):
            request.stream  # noqa: B018


def test_the_app_uses_the_capped_request(app):
    assert app.request_class is CappedRequest
    with app.test_request_context("/", method="POST", data=b"x"):
        from flask import request

        assert isinstance(request._get_current_object(), CappedRequest)
