"""Credentials written into a source URL (``user:pass@``, ``?api_key=...``) are shown as
``***`` wherever the URL or a message about it is shown: the API, the portal, the CLI and job
reports."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"
CREDENTIAL_PARAMS = frozenset(
    {
        "access_token",
        "api-key",
        "api_key",
        "apikey",
        "auth",
        "client_secret",
        "key",
        "password",
        "passwd",
        "secret",
        "sig",
        "signature",
        "token",
    }
)
_PAIR = re.compile(r"([^&;=]*)=([^&;]*)")


def _is_credential(name: str) -> bool:
    return unquote(name).strip().lower() in CREDENTIAL_PARAMS


def redact_source_url(url: str) -> str:
    """``url`` with its user information and credential parameters replaced by ``***``."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"

    def mask(match: re.Match) -> str:
        return f"{match.group(1)}={MASK}" if _is_credential(match.group(1)) else match.group(0)

    query = _PAIR.sub(mask, parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _credential_values(url: str) -> list[str]:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return []
    values = []
    if "@" in parts.netloc:
        values += parts.netloc.rpartition("@")[0].split(":", 1)
    values += [value for name, value in _PAIR.findall(parts.query) if _is_credential(name)]
    return values


def secrets_in(url: str) -> list[str]:
    """The credential values a URL carries, longest first (raw and decoded forms)."""
    found: set[str] = set()
    for value in _credential_values(url):
        found.update({value, unquote(value), unquote(value.replace("+", " "))})
    return sorted((s for s in found if len(s) >= 3 and s != MASK), key=len, reverse=True)


def scrub(text: str | None, url: str) -> str | None:
    """``text`` (a message that may quote the source URL or its credentials) without them."""
    if not text or not url:
        return text
    text = text.replace(url, redact_source_url(url))
    for secret in secrets_in(url):
        text = text.replace(secret, MASK)
    return text


def has_mask(url: str) -> bool:
    """Whether a URL sent back carries ``***`` where a credential would be (as shown)."""
    return any(unquote(value) == MASK for value in _credential_values(url))
