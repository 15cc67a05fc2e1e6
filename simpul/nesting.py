"""A bound on how deeply nested a JSON document from outside may be. Parsers and the code that
walks their result recurse; a body of a few kilobytes nested thousands deep would exhaust the
interpreter's stack. Every JSON body the API or a parser reads passes here first."""

from __future__ import annotations

from typing import Any

from simpul.errors import InvalidInput

MAX_DEPTH = 64  # a service record needs 4 levels, JSON-LD of a catalog about 10


def check_depth(document: Any, what: str = "JSON", limit: int = MAX_DEPTH) -> None:
    """Raise 400 when ``document`` (parsed JSON) nests objects and arrays deeper than ``limit``.
    Iterative, so it cannot itself run out of stack."""
    stack = [(document, 1)] if isinstance(document, dict | list) else []
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if level > limit:
            raise InvalidInput(
                f"{what} is nested more than {limit} levels deep; at most {limit} are accepted",
                max_depth=limit,
            )
        stack.extend((c, level + 1) for c in children if isinstance(c, dict | list))
