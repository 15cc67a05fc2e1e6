"""Credentials in a source URL never show: the URL as shown, messages, a URL sent back."""

from __future__ import annotations

from simpul.harvesters.credentials import has_mask, redact_source_url, scrub, secrets_in

URL = "https://budi:rahasia%21@data.go.id/api?api_key=k3y-value&page=2"


def test_user_information_and_credential_parameters_are_masked():
    assert redact_source_url(URL) == "https://***@data.go.id/api?api_key=***&page=2"
    assert redact_source_url("https://data.go.id/a?q=1") == "https://data.go.id/a?q=1"
    assert redact_source_url("") == ""


def test_secrets_raw_and_decoded_longest_first():
    assert secrets_in(URL) == ["rahasia%21", "k3y-value", "rahasia!", "budi"]


def test_messages_lose_the_url_and_every_secret():
    message = f"GET {URL} failed; the server said rahasia! and k3y-value"
    scrubbed = scrub(message, URL)
    for secret in secrets_in(URL):
        assert secret not in scrubbed
    assert "https://***@data.go.id/api?api_key=***&page=2" in scrubbed
    assert scrub(None, URL) is None and scrub("plain", "") == "plain"


def test_a_url_sent_back_as_shown_is_recognised():
    assert has_mask(redact_source_url(URL))
    assert not has_mask(URL)
