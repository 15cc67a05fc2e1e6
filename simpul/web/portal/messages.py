"""The record checks' messages in the page's language.

The checks themselves (``registry.schemas``, ``services``) speak English to API clients; the
editor shows publishers the same findings in Indonesian or English. Each known message shape maps
to a translatable sentence; a message of unknown shape is shown as it is."""

from __future__ import annotations

import re

from flask_babel import gettext


def T_(message: str) -> str:  # noqa: N802 - a gettext marker, extracted by `make translations`
    """Marks a sentence for the catalog; it is translated when a message is described."""
    return message


MESSAGES = [
    (r"Missing data for required field\.|Field may not be null\.", T_("Required.")),
    (
        r"Not a valid URL.*",
        T_("Not a web address: write it in full, starting with http:// or https://."),
    ),
    (
        r"not an ISO 8601 duration.*",
        T_("Not a duration Simpul understands: write for example “14 hari”, “2 jam” or P14D."),
    ),
    (r"Not a valid email address\.", T_("Not an email address.")),
    (r"not a telephone number", T_("Not a telephone number (for example +62 435 123456).")),
    (r"Not a valid (?:number|integer)\.", T_("Not a number.")),
    (r"an Indonesian text \('id'\) is required.*", T_("The Indonesian text is required.")),
    (
        r"give the text in at least one language.*",
        T_("Give the text in at least one language."),
    ),
    (
        r"use 1-200 letters, digits.*",
        T_("Use 1 to 200 letters, digits, '.', '_' or '-', starting with a letter or digit."),
    ),
    (
        r"'(?P<code>[^']*)' lies outside the area of '(?P<org>[^']*)' \((?P<area>[^)]*)\)",
        T_("Area %(code)s lies outside the area of %(org)s (%(area)s)."),
    ),
    (
        r"unknown area code '(?P<code>[^']*)' .*"
        r"did you mean '(?P<near>[^']*)' \((?P<name>[^)]*)\)\?",
        T_("Unknown area code %(code)s; did you mean %(near)s (%(name)s)?"),
    ),
    (r"unknown area code '(?P<code>[^']*)'.*", T_("Unknown area code %(code)s.")),
    (
        r"unknown [\w ]+ '(?P<value>[^']*)'; did you mean '(?P<near>[^']*)'\? Known: .*",
        T_("Unknown code “%(value)s”; did you mean “%(near)s”?"),
    ),
    (
        r"unknown [\w ]+ '(?P<value>[^']*)'\. Known: (?P<known>.*)",
        T_("Unknown code “%(value)s”. Known codes: %(known)s."),
    ),
    (r"(?:\w+: )?text is empty", T_("The text is empty.")),
    (
        r"(?:\w+: )?contains a NUL character",
        T_("The text contains an invisible control character (NUL); type it again."),
    ),
    (
        r"only channels of type 'api' travel over SPLP",
        T_("Only channels of type “api” travel over SPLP."),
    ),
    (r"Unknown field\.", T_("A field Simpul does not know.")),
    (r"Must be greater than or equal to (?P<min>\S+)\.", T_("At least %(min)s.")),
    (
        r"(?:\w+: )?[Ll]onger than (?:maximum length )?(?P<max>\d+)(?: characters)?\.?",
        T_("Longer than %(max)s characters."),
    ),
    (
        r"give a complaint channel.*",
        T_("Give at least one: how to complain, a web address, an email or a telephone."),
    ),
    (
        r".* already has a service '(?P<identifier>[^']+)'.*",
        T_("Your agency already has a service with the identifier “%(identifier)s”."),
    ),
    (
        r"the record changed since you read it \(now version (?P<version>\d+)\).*",
        T_(
            "Someone saved this service while you were editing it (it is now at version "
            "%(version)s). Open it again to see their change; your text is still below."
        ),
    ),
    (
        r"a token of organization '[^']*' cannot write records of '(?P<org>[^']*)'.*",
        T_("Your agency cannot write records of %(org)s."),
    ),
    (
        r"nothing to resolve: the record has no pending review",
        T_("Nothing to review: this service is already up to date with its service type."),
    ),
    (
        r"cannot adopt: the type '(?P<type>[^']*)' was retired and .*",
        T_(
            "The service type %(type)s was retired without a successor that applies here: "
            "choose another type for this service, or confirm it as it is."
        ),
    ),
]
PATTERNS = [(re.compile(pattern + r"$"), sentence) for pattern, sentence in MESSAGES]


def describe(message: str) -> str:
    """A check's message in the page's language (unknown shapes unchanged)."""
    for pattern, sentence in PATTERNS:
        match = pattern.match(message)
        if match:
            return gettext(sentence, **match.groupdict())
    return message
