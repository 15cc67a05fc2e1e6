"""Rate limits, with Flask-Limiter, per client address.

- Failed authentication: every answer 401 to a request that tried to authenticate (an API
  request with an ``Authorization`` header, a sign-in form sent to the portal) counts; once a
  client has ``auth_failure_limit`` failures in the window, every further authentication attempt
  from it, right or wrong, answers 429 with ``Retry-After`` until the window ends. Successes are
  never counted, and requests that carry no credentials (public reads) are never limited.
- ``POST /api/v1/validate`` (no token needed, SHACL costs CPU): ``validate_rate_limit``.

Counters live in ``rate_limit_storage_uri`` (in memory by default: per process; a
``redis://`` or ``memcached://`` URI shares them between processes). The client address is the
connection's, or with ``proxy_hops`` > 0 the one that many trusted proxies put in
``X-Forwarded-For``."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from simpul.config import Settings

SIGN_IN = "publisher.sign_in"
VALIDATE = "linked_data.validate_rdf"


def is_authentication() -> bool:
    """Does this request try to authenticate?"""
    if "Authorization" in request.headers:
        return True
    return request.method == "POST" and request.endpoint == SIGN_IN


def _failed(response: Response) -> bool:
    return response.status_code == 401


def init_throttle(app: Flask, settings: Settings) -> Limiter:
    """Call once every blueprint is registered (the validator's view is wrapped)."""
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.rate_limit_storage_uri,
        application_limits=[settings.auth_failure_limit],
        application_limits_exempt_when=lambda: not is_authentication(),
        application_limits_deduct_when=_failed,
        headers_enabled=True,
        key_prefix="simpul",
    )
    app.view_functions[VALIDATE] = limiter.limit(settings.validate_rate_limit)(
        app.view_functions[VALIDATE]
    )
    return limiter


def too_many(limit: str) -> str:
    """What a 429 tells the client."""
    if is_authentication():
        return (
            f"too many failed authentication attempts from this address (limit {limit}); "
            "wait for the time in Retry-After before trying again"
        )
    return f"too many requests from this address (limit {limit}); retry after Retry-After"
