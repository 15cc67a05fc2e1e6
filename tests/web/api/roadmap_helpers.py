"""Shared set-up of the assessment and roadmap API tests: a national and a provincial
coordinator, a regency's editor, a village and a central ministry with services."""

from __future__ import annotations

import json

from simpul.registry.criteria import SHIPPED
from tests.conftest import service_record

CRITERIA = json.loads(SHIPPED.read_text(encoding="utf-8"))
CODES = [c["code"] for c in CRITERIA["criteria"]]
ORG, VILLAGE, MINISTRY = "disdukcapil-kota-gorontalo", "desa-dembe-satu", "kemenkes"
OTHER_PROVINCE = "pemprov-sulbar"


def scores(level: int, evidence: bool = True) -> dict:
    entry = {"score": level}
    if evidence:
        entry["evidence"] = "dokumen uji"
    return dict.fromkeys(CODES, entry)


def setup(publisher) -> dict:
    publisher.org("kemenpan-rb", "pusat")
    publisher.org("pemprov-gorontalo", "provinsi", "75")
    publisher.org(OTHER_PROVINCE, "provinsi", "76")
    publisher.org(ORG, "kabkota", "75.71", parent="pemprov-gorontalo")
    publisher.org(VILLAGE, "desa", "75.71.01.1001")
    publisher.org(MINISTRY, "pusat")
    auth = publisher.auth
    tokens = {
        "admin": auth(publisher.token("kemenpan-rb", "admin")),
        "national": auth(publisher.token("kemenpan-rb", "coordinator")),
        "provincial": auth(publisher.token("pemprov-gorontalo", "coordinator")),
        "outside": auth(publisher.token(OTHER_PROVINCE, "coordinator")),
        "editor": auth(publisher.token(ORG)),
        "village": auth(publisher.token(VILLAGE)),
        "ministry": auth(publisher.token(MINISTRY)),
    }
    ids = {}
    for org, key, record in (
        (ORG, "regency", service_record("akta-kelahiran")),
        (VILLAGE, "village", service_record("surat-domisili", areas=["75.71.01.1001"])),
        (MINISTRY, "health", service_record("bpjs", sectors=["kesehatan"], areas=["00"])),
        (MINISTRY, "licence", service_record("izin-edar", sectors=["perizinan"], areas=["00"])),
    ):
        token = publisher.token(org)
        response = publisher.publish(token, record)
        assert response.status_code == 201, response.get_json()
        ids[key] = response.get_json()["id"]
    return {"tokens": tokens, "ids": ids}


def assess(client, headers, target, level=4, kind="service", **extra):
    body = {"target_type": kind, "target": target, "scores": scores(level), **extra}
    return client.post("/api/v1/assessments", json=body, headers=headers)
