"""Applications in the change feed: each change's application as it was at that version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.registry.applications import application_to_dict, tombstone_to_dict
from simpul.registry.db import as_utc
from simpul.registry.models import Application, ApplicationVersion, Change


def application_states(session: Session, rows: list[Change]) -> dict[tuple[str, int], Any]:
    if not rows:
        return {}
    ids = {row.service_id for row in rows}
    current = {a.id: a for a in session.scalars(select(Application).where(Application.id.in_(ids)))}
    history = session.execute(
        select(
            ApplicationVersion.application_id, ApplicationVersion.version, ApplicationVersion.data
        ).where(ApplicationVersion.application_id.in_(ids), ApplicationVersion.data.is_not(None))
    )
    frozen = {(app_id, version): data for app_id, version, data in history}
    out: dict[tuple[str, int], Any] = {}
    for row in rows:
        app = current.get(row.service_id)
        if app is None:
            continue
        key = (row.service_id, row.version)
        data = frozen.get(key)
        if row.action == "deleted":
            out[key] = tombstone_to_dict(app) | {"version": row.version}
        elif data is None:  # the current content
            out[key] = application_to_dict(app)
        else:
            out[key] = {
                "id": app.id,
                "uri": app.uri,
                "organization": app.organization_id,
                **data,
                "version": row.version,
                "modified": as_utc(row.at).isoformat(),
                "provenance": app.provenance,
            }
    return out
