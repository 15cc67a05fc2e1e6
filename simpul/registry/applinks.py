"""The services an application names, resolved to ids of its owner's live services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from simpul.registry.models import Service


class ServiceRefs:
    """Resolves the services an application names (an id or the owner's identifier) to ids of
    the owner's live services. ``preload`` reads an organization's services at once (bulk
    loads); otherwise each record asks for just the references it names."""

    def __init__(self, session: Session | None, opener: Callable[[], Any] | None = None):
        self.session = session
        self.opener = opener  # opens a session for what ``preload`` did not read (bulk loads)
        self.known: dict[str, dict[str, str]] = {}  # organization -> ref -> service id

    def preload(self, organization: str) -> None:
        query = select(Service.id, Service.identifier).where(
            Service.authority == organization, Service.deleted_at.is_(None)
        )
        refs: dict[str, str] = {}
        for service_id, identifier in self.session.execute(query):
            refs[identifier] = service_id
            refs[service_id] = service_id
        self.known[organization] = refs

    def resolve(self, organization: str, refs: list[str]) -> tuple[list[str], dict[str, str]]:
        """The service ids in order, and a problem per ``services[i]`` that does not resolve."""
        known = self.known.get(organization)
        if known is None:
            known = self._query(organization, refs)
        ids, problems = [], {}
        for i, ref in enumerate(refs):
            if ref in known:
                ids.append(known[ref])
            else:
                problems[f"services[{i}]"] = self._why(organization, ref)
        return list(dict.fromkeys(ids)), problems

    def _query(self, organization: str, refs: list[str]) -> dict[str, str]:
        query = select(Service.id, Service.identifier).where(
            Service.authority == organization,
            Service.deleted_at.is_(None),
            or_(Service.id.in_(refs), Service.identifier.in_(refs)),
        )
        found: dict[str, str] = {}
        for service_id, identifier in self.session.execute(query):
            found[identifier] = found[service_id] = service_id
        return found

    def _why(self, organization: str, ref: str) -> str:
        query = select(Service.authority, Service.deleted_at).where(Service.id == ref)
        if self.session is not None:
            row = self.session.execute(query).first()
        else:
            with self.opener() as session:
                row = session.execute(query).first()
        if row is not None and row.authority != organization:
            return (
                f"service {ref!r} belongs to {row.authority!r}: an application of "
                f"{organization!r} links only its own organization's services"
            )
        if row is not None:
            return f"service {ref!r} was deleted"
        return f"{organization!r} has no service with the id or identifier {ref!r}"
