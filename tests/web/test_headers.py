"""Security headers on every response, set in one place for the whole app: the portal's pages,
Swagger UI (whose one inline script is allowed by its hash), JSON, RDF and errors."""

from __future__ import annotations

import base64
import hashlib
import re

from simpul.web.guards import DATA_CSP, PAGE_CSP

NOSNIFF = ("X-Content-Type-Options", "nosniff")


def test_swagger_ui_allows_its_own_inline_script_and_nothing_else(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data()
    csp = response.headers["Content-Security-Policy"]
    assert response.headers[NOSNIFF[0]] == NOSNIFF[1]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    inline = re.findall(rb"<script>(.*?)</script>", html, re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in csp
    for src in re.findall(rb'src="([^"]+)"', html) + re.findall(rb'href="([^"]+)"', html):
        assert src.startswith(b"/api/v1/docs/assets/"), src  # nothing from other hosts
        asset = client.get(src.decode())
        assert asset.status_code == 200 and asset.headers[NOSNIFF[0]] == NOSNIFF[1]


def test_json_rdf_and_problems_get_the_strict_policy(client, publisher):
    created = publisher.publish_one()
    for url, headers in [
        ("/api/v1/services", {}),
        ("/api/v1/openapi.json", {}),
        (f"/api/v1/services/{created['id']}", {"Accept": "text/turtle"}),
        ("/catalog.ttl", {}),
        ("/api/v1/services/nope", {}),  # problem+json
        ("/health", {}),
    ]:
        response = client.get(url, headers=headers)
        assert response.mimetype != "text/html", url
        assert response.headers["Content-Security-Policy"] == DATA_CSP, url
        assert response.headers[NOSNIFF[0]] == NOSNIFF[1], url


def test_portal_pages_and_error_pages_keep_the_page_policy(client):
    for url in ("/", "/publish/sign-in", "/services/nope"):
        response = client.get(url, headers={"Accept": "text/html"})
        assert response.mimetype == "text/html", url
        assert response.headers["Content-Security-Policy"] == PAGE_CSP, url
        assert response.headers[NOSNIFF[0]] == NOSNIFF[1]
        assert response.headers["X-Frame-Options"] == "DENY"
