"""Signing in and out of the portal: the page to return to is followed only when it is a path
on this site, and signing out ends the session on the server, so a copied cookie stops working."""

from __future__ import annotations

import pytest

from simpul.web.portal.publisher import same_site_path
from tests.web.portal.conftest import csrf_of, sign_in

DUKCAPIL = "disdukcapil-kota-gorontalo"
COOKIE = "simpul_session"

HOSTILE = [
    "//evil.example",
    "//evil.example/publish",
    "/\\evil.example",
    "\\\\evil.example",
    "/%09/evil.example",
    "%2F%09%2Fevil.example",
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%20/evil.example",
    "/%E2%80%8B/evil.example",  # zero-width space
    "/%E2%80%AE/evil.example",  # right-to-left override
    "/%252F%252Fevil.example",  # encoded twice: '//' once decoded by us
    "/%5Cevil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "data:text/html,x",
    "evil.example",
    "",
    "///evil.example",
    "/publish//evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_never_sends_the_browser_off_site(client, agencies, target):
    url = f"/publish/sign-in?next={target}"
    page = client.get(url)
    assert page.status_code == 200
    back = client.post(
        url,
        data={"token": agencies["tokens"][DUKCAPIL], "csrf_token": csrf_of(page.text)},
    )
    assert back.status_code == 302, back.text[:300]
    assert back.headers["Location"] == "/publish"


@pytest.mark.parametrize(
    "target",
    ["/publish", "/publish/services/abc/edit", "/search?q=akta&sector=kependudukan", "/"],
)
def test_same_site_paths_are_followed(target):
    assert same_site_path(target) == target


@pytest.mark.parametrize(
    "target", ["//x", "/\\x", "/\t/x", "/\n", "/\x00", "/%2f/x", "/a b", "http://x", None]
)
def test_other_targets_are_refused(target):
    assert same_site_path(target) is None


def test_a_copied_cookie_dies_with_sign_out(app, client, agencies):
    sign_in(client, agencies["tokens"][DUKCAPIL])
    copy = app.test_client()
    copy.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    assert copy.get("/publish").status_code == 200  # the copy works while the session lives
    other = app.test_client()  # the same token signed in from another browser
    sign_in(other, agencies["tokens"][DUKCAPIL])

    page = client.get("/publish").text
    out = client.post("/publish/sign-out", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 302

    replayed = copy.get("/publish")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/publish/sign-in")
    assert other.get("/publish").status_code == 200  # only the session signed out ends


def test_a_session_expires_on_the_server(app, client, agencies):
    from datetime import timedelta

    app.permanent_session_lifetime = timedelta(seconds=-1)  # born expired
    sign_in(client, agencies["tokens"][DUKCAPIL])
    assert client.get("/publish").status_code == 302
