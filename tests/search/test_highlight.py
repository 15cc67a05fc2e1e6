"""Highlighting escapes the agency's text before it marks the searched words, in the API and in
the portal alike (one function serves both)."""

from __future__ import annotations

from simpul.registry.indexing import sync
from simpul.search.highlight import mark

HOSTILE = "Akta <script>alert(1)</script> & \"Kelahiran\" 'anak' <b>"


def test_text_is_escaped_then_marked():
    out = mark(HOSTILE, {"akta", "lahir"})
    assert out.startswith("<mark>Akta</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; ")
    assert "&#34;<mark>Kelahiran</mark>&#34;" in out  # stem of kelahiran is lahir
    assert "&#39;anak&#39; &lt;b&gt;" in out
    assert "<script" not in out and "<b>" not in out


def test_marks_match_whole_words_and_nothing_when_no_terms():
    assert mark("surat akta", {"akta"}) == "surat <mark>akta</mark>"
    assert mark("<i>akta</i>", set()) == "&lt;i&gt;akta&lt;/i&gt;"
    assert mark(None, {"akta"}) == ""


def _publish_hostile(publisher):
    token = publisher.token(publisher.org("disdukcapil-kota-gorontalo"))
    record = {"identifier": "akta-x", "name": {"id": HOSTILE}, "sectors": ["kependudukan"]}
    assert publisher.publish(token, record).status_code == 201
    sync(publisher.registry, publisher.registry.search)


def test_api_highlight_is_escaped(client, publisher):
    _publish_hostile(publisher)
    item = client.get("/api/v1/search?q=akta").get_json()["items"][0]
    assert item["name"]["id"] == HOSTILE  # the record itself is data, unchanged
    highlight = item["highlight"]["name"]
    assert highlight == mark(HOSTILE, {"akta"})
    assert "<mark>Akta</mark>" in highlight and "&lt;script&gt;" in highlight
    assert "<script" not in highlight and "&amp;" in highlight and "&#34;" in highlight


def test_portal_search_is_escaped(client, publisher):
    _publish_hostile(publisher)
    page = client.get("/search?q=akta").get_data(as_text=True)
    assert "<mark>Akta</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert "<script>alert(1)" not in page
