"""Languages of the portal: Indonesian by default, English on request (``?lang=en``, kept in a
cookie). Page text comes from gettext catalogs; record texts and code-list labels are language
maps, shown in the chosen language with Indonesian as the fallback."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import (
    Babel,
    format_date,
    format_number,
    get_locale,
    get_translations,
    gettext,
    ngettext,
)
from markupsafe import Markup

from simpul.reference.languages import pick, shorten

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"
COOKIE = "simpul_lang"
DURATION = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$"
)


def N_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - gettext's marker name
    """Marks a message pair for extraction; translated where it is used."""
    return singular, plural


# (singular, plural) per duration part, in the order of the ISO 8601 pattern
UNITS = (
    N_("%(num)d year", "%(num)d years"),
    N_("%(num)d month", "%(num)d months"),
    N_("%(num)d week", "%(num)d weeks"),
    N_("%(num)d day", "%(num)d days"),
    N_("%(num)d hour", "%(num)d hours"),
    N_("%(num)d minute", "%(num)d minutes"),
    N_("%(num)d second", "%(num)d seconds"),
)


def select_locale() -> str:
    return getattr(g, "lang", None) or DEFAULT


def init_app(app: Flask) -> None:
    from importlib import resources

    folder = resources.files("simpul.web.portal") / "translations"
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    Babel(app, locale_selector=select_locale)
    # Flask-Babel looks the catalog up again for every message; a page has dozens of them
    app.jinja_env.install_gettext_callables(_page_gettext, _page_ngettext, newstyle=True)
    app.before_request(_choose_language)
    app.after_request(_remember_language)
    app.jinja_env.filters.update(
        text=text,
        short=short,
        label=label,
        duration=duration,
        money=money,
        day=day,
        mark=mark,
        fid=fid,
        number=format_number,
    )
    app.jinja_env.globals.update(url_with=url_with, LANGUAGES=LANGUAGES, lang=select_locale)


def _catalog():
    """The request's translations, looked up once per request."""
    found = g.get("_catalog")
    if found is None:
        found = g._catalog = get_translations()
    return found


def _page_gettext(message: str) -> str:
    return _catalog().ugettext(message)


def _page_ngettext(singular: str, plural: str, num: int) -> str:
    return _catalog().ungettext(singular, plural, num)


def _choose_language() -> None:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.lang, g.lang_changed = asked, True
    else:
        cookie = request.cookies.get(COOKIE)
        g.lang = cookie if cookie in LANGUAGES else DEFAULT


def _remember_language(response):
    if getattr(g, "lang_changed", False):
        response.set_cookie(COOKIE, g.lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


def url_with(**changes: Any) -> str:
    """The current page's URL with query parameters changed (None removes one); the language
    switch is never carried along, nor is the page unless it is changed itself."""
    args = request.args.to_dict(flat=False)
    args.pop("lang", None)
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None or value == []:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    query = urlencode(args, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def fid(name: str) -> str:
    """An HTML id for a form field name such as ``channels[0].url``: ``channels-0-url``."""
    return re.sub(r"[^A-Za-z0-9_]+", "-", name).strip("-")


def text(value: dict[str, str] | None) -> str:
    """A language map in the page's language, else Indonesian, else English, else any
    language the record has (``reference.languages.pick``)."""
    return pick(value, str(get_locale()))


SHORT = 160  # characters of a name shown in lists and page titles (the page shows it whole)


def short(value: str, limit: int = SHORT) -> str:
    """A long name cut for a list or a page title, at a word, with an ellipsis."""
    return shorten(str(value), limit)


def label(code: str, codes) -> str:
    """A code-list label in the page's language; an unknown code shows as itself."""
    labels = codes.get(code)
    return text(labels) if labels else code


def duration(value: str | None) -> str:
    """``P14D`` as '14 hari' / '14 days'."""
    if not value:
        return ""
    match = DURATION.match(value)
    if not match:
        return value
    parts = []
    for number, (one, many) in zip(match.groups(), UNITS, strict=True):
        if number:
            num = int(float(number))
            parts.append(ngettext(one, many, num))
    return " ".join(parts) or value


def money(cost: dict[str, Any] | None) -> str:
    if not cost:
        return ""
    amount = cost.get("amount", 0)
    if amount == 0:
        return gettext("Free")
    if cost.get("currency", "IDR") == "IDR":
        whole = f"{amount:,.0f}".replace(",", ".")
        return f"Rp{whole}"
    return f"{cost['currency']} {amount:,}"


def day(value: str | None) -> str:
    """An ISO timestamp as a date in the page's language."""
    if not value:
        return ""
    from datetime import datetime

    return format_date(datetime.fromisoformat(value), "long")


def mark(value: str, terms: set[str] | frozenset[str]) -> Markup:
    """Words of ``value`` whose stem is one of the searched terms, inside ``<mark>``."""
    from simpul.search.highlight import mark as highlight

    return Markup(highlight(value, terms))  # noqa: S704 - highlight() escapes, then marks
