"""Indonesian text analysis for search: tokens, stopwords, affix stemming, synonyms.

The same analysis runs on documents and on queries, so that pendaftaran finds daftar, akte finds
akta and e-KTP finds KTP. Stemming uses Sastrawi (Nazief-Adriani with a root-word dictionary),
which conflates penerbitan/terbit where the Snowball stemmer gives 'erbit'."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from simpul.search import informal
from simpul.search.features import ALL, Features

_TOKEN = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


def _lines(name: str) -> list[str]:
    text = (resources.files("simpul.search") / "data" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _stopwords() -> frozenset[str]:
    return frozenset(_lines("stopwords-id.txt"))


@cache
def _english_stopwords() -> frozenset[str]:
    return frozenset(_lines("stopwords-en.txt"))


def query_text(text: str, features: Features = ALL) -> str:
    """A query without its English function words ("how do I get a ..."), which no service is
    found by. Queries only: documents keep them, so the index does not change with the list."""
    if not (features.english and features.stopwords):
        return text
    stop = _english_stopwords()
    return " ".join(w for w in _raw_tokens(text) if w not in stop)


def _synonym_groups() -> list[list[str]]:
    return [
        [form.strip() for form in line.split(",") if form.strip()]
        for line in _lines("synonyms-id.txt")
    ]


@cache
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))


CLITICS = frozenset({"ku", "mu", "nya", "lah", "kah", "tah", "pun"})
# confixes stripped from words Sastrawi's dictionary does not know (loanwords such as
# legalisir): peN-/per-/ke-...-an, meN-/di-...-kan/-i, where the nasal leaves the root's first
# letter alone; what remains must keep five letters
_CONFIX = re.compile(
    r"^(?:per|ke|di|[pm]e(?=[lrwy])|[pm]eng(?=[aeiou])|[pm]em(?=[bf])|[pm]en(?=[dcj]))"
    r"([a-z]{5,}?)(?:an|kan|i)$"
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The root of a word (Sastrawi), with what Sastrawi leaves: reduplications
    (buku-buku, meniru-niru), clitics after a hyphen (kuasa-Mu), -wan/-wati (karyawan) and
    confixes around words it does not know (pelegalisiran)."""
    word = word.lower()
    if " " in word:
        return " ".join(stem(w) for w in word.split())
    if "-" in word:
        return _hyphenated(word)
    if len(word) <= 3 or not word.isalpha():
        return word
    root = MISSTEMMED.get(word) or _stemmer().stem(word) or word
    return _beyond_dictionary(word) if root == word else _k_root(word, root)


# words Sastrawi reads as a shorter root plus a particle (meni-kah)
MISSTEMMED = {"menikah": "nikah"}


def _k_root(word: str, root: str) -> str:
    """A root ending in k before -an (kerusakan, perusakan: rusak), which Sastrawi reads as
    -kan around a shorter root that its dictionary also has (rusa)."""
    longer = root + "k"
    if word.endswith("kan") and longer + "an" in word and _dictionary().contains(longer):
        return longer
    return root


def _dictionary():
    return _stemmer().delegatedStemmer.dictionary


def _beyond_dictionary(word: str) -> str:
    known = _dictionary().contains
    for suffix in ("wati", "wan"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 4 and known(base):
            return base
    if known(word):
        return word
    if found := _CONFIX.match(word):
        return found.group(1)
    return (
        informal.standard(word, known, _stemmer().stem)
        or _reduplicated_syllable(word, known)
        or _foreign_suffix(word, known)
        or _compound(word, known)
        or word
    )


def _reduplicated_syllable(word: str, known) -> str | None:
    """A first consonant repeated with e (rerata, lelembut, tetamu): the root it repeats."""
    if len(word) > 5 and word[1] == "e" and word[0] == word[2] and word[0] not in "aeiou":
        return word[2:] if known(word[2:]) else None
    return None


def _foreign_suffix(word: str, known) -> str | None:
    """-isme and -is after a root (idealisme, idealis)."""
    for suffix in ("isme", "is"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and known(word[: -len(suffix)]):
            return word[: -len(suffix)]
    return None


# affixes around a compound of two roots (penyalahgunaan, mempertanggungjawabkan); the
# nasal of meN-/peN- before s stands for it
_COMPOUND_PREFIXES = (
    ("memper", ""),
    ("diper", ""),
    ("meny", "s"),
    ("peny", "s"),
    ("meng", ""),
    ("peng", ""),
    ("mem", ""),
    ("pem", ""),
    ("men", ""),
    ("pen", ""),
    ("per", ""),
    ("ber", ""),
    ("di", ""),
    ("ke", ""),
)
_COMPOUND_SUFFIXES = ("kannya", "annya", "kan", "an", "i", "nya", "")


def _compound(word: str, known) -> str | None:
    """Two roots written as one word inside affixes: the two roots, joined."""
    for prefix, stands_for in _COMPOUND_PREFIXES:
        if not word.startswith(prefix):
            continue
        for suffix in _COMPOUND_SUFFIXES:
            if suffix and not word.endswith(suffix):
                continue
            inner = stands_for + word[len(prefix) : len(word) - len(suffix)]
            if any(known(inner[:i]) and known(inner[i:]) for i in range(3, len(inner) - 2)):
                return inner
    return None


def _hyphenated(word: str) -> str:
    """A reduplication stems as its first half; a clitic after a hyphen goes."""
    parts = [p for p in word.split("-") if p and p not in CLITICS]
    if not parts:
        return word
    first = parts[0]
    if len(parts) == 1:
        return stem(first)
    if len(parts) == 2 and len(parts[1]) >= 3 and parts[1][:3] in first:
        return stem(first)
    return word


def _same(word: str) -> str:
    return word


class Analyzer:
    """The tables and token cache of the analysis under one set of features
    (``analyzer(features)``; the product's is ``ALL``)."""

    def __init__(self, features: Features):
        self.features = features
        self.stem = stem if features.stemming else _same
        self.stopwords = _stopwords() if features.stopwords else frozenset()
        self.words, self.phrases = self._synonyms() if features.synonyms else ({}, {})
        lengths: dict[str, set[int]] = {}
        for phrase in self.phrases:  # first word (as typed or stemmed) -> its phrases' lengths
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self.phrase_lengths = {first: frozenset(sizes) for first, sizes in lengths.items()}
        self.token = lru_cache(maxsize=200_000)(self._token)

    def _synonyms(self) -> tuple[dict[str, str], dict[tuple[str, ...], str]]:
        """(single word -> canonical form, multi-word phrase -> canonical form). Phrases are
        also known by their stems, so 'pendaftaran sekolah' meets 'daftar sekolah'."""
        words: dict[str, str] = {}
        phrases: dict[tuple[str, ...], str] = {}
        for forms in _synonym_groups():
            canonical = forms[0]
            for form in forms:
                parts = tuple(_raw_tokens(form))
                if len(parts) == 1:
                    words[parts[0]] = canonical
                else:
                    phrases[parts] = canonical
                    phrases.setdefault(tuple(self.stem(p) for p in parts), canonical)
        return words, phrases

    def _token(self, token: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """A token's own terms (its synonym's canonical form or its stem, for the token and for
        each part of a hyphenated one; stopwords dropped), and the lengths of the synonym
        phrases that may start at it, longest first. Tokens repeat across a catalog, so this
        is worked out once each (``self.token`` is its cache)."""
        words, stop, stem_ = self.words, self.stopwords, self.stem
        parts = [token, *(p for p in token.split("-") if len(p) > 1)] if "-" in token else [token]
        terms = tuple(self._canonical(part) for part in parts if part in words or part not in stop)
        lengths = self.phrase_lengths
        sizes = lengths.get(token, frozenset()) | lengths.get(stem_(token), frozenset())
        return terms, tuple(sorted(sizes, reverse=True))

    def _canonical(self, part: str) -> str:
        """A word's synonym canonical form, also under a clitic (sertifikatnya, aktenya,
        ijinnya: as sertifikat, akte, ijin), else its stem. Only clitics: a derived form may
        mean something else than its root's synonym (penggantian is not perubahan, though
        ganti and ubah are synonyms)."""
        words = self.words
        if part in words:
            return words[part]
        bare = _without_clitic(part)
        return words[bare] if bare in words else self.stem(part)


def _without_clitic(word: str) -> str:
    for clitic in ("nya", "ku", "mu"):
        if word.endswith(clitic) and len(word) - len(clitic) >= 2:
            return word[: -len(clitic)]
    return word


# one analyzer (and so one token cache) per set of features
analyzer = cache(Analyzer)
_product: list[Analyzer] = []  # the product's, found without hashing its features each time


def analyze(text: str, features: Features = ALL) -> list[str]:
    """Search terms of a text: folded, tokenized, synonyms mapped to their canonical form (added
    beside the words, so phrases still match), stopwords dropped, stemmed."""
    if features is not ALL:
        tables = analyzer(features)
    elif _product:
        tables = _product[0]
    else:
        tables = analyzer(ALL)
        _product.append(tables)
    raw = _raw_tokens(text)
    out: list[str] = []
    stems: list[str] | None = None
    token_of = tables.token
    for i, token in enumerate(raw):
        terms, sizes = token_of(token)
        if sizes:  # the longest synonym phrase starting here, as typed or by its stems
            phrases = tables.phrases
            if stems is None:
                stems = [tables.stem(t) for t in raw]
            for size in sizes:
                if size > len(raw) - i:
                    continue
                canonical = phrases.get(tuple(raw[i : i + size])) or phrases.get(
                    tuple(stems[i : i + size])
                )
                if canonical:
                    out.append(canonical)
                    break
        out.extend(terms)
    return out


def words(text: str, features: Features = ALL) -> list[str]:
    """Folded words as typed, without stopwords (for typo tolerance: no stemming)."""
    stop = analyzer(features).stopwords
    return [w for w in _raw_tokens(text) if w not in stop]


def canonical_terms(text: str, features: Features = ALL) -> str:
    return " ".join(analyze(text, features))


# -- query-time expansions: the English lexicon and everyday Indonesian --------------------------
# a group is one concept of the query: its alternative readings, each (its terms, its weight);
# a backend scores a group by its best alternative, and sums the groups
Alternative = tuple[tuple[str, ...], float]
Group = tuple[Alternative, ...]
LEXICONS = {"english": "lexicon-en-id.txt", "synonyms": "colloquial-id.txt"}


def lexicon_entries(name: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(folded words of a term, its readings) of a lexicon file, as written."""
    out = []
    for line in _lines(name):
        term, _, readings = line.partition(":")
        forms = tuple(r.strip() for r in readings.split("|") if r.strip())
        out.append((tuple(_raw_tokens(term)), forms))
    return out


def reading_weight(terms: tuple[str, ...]) -> float:
    """The weight of each term of a lexicon reading: 1/sqrt(n) for n terms, so that a reading
    of several words (tidak mampu: miskin, mampu) counts more than one word, but not n times
    one: summed in full, "poor families" put the pages named "tidak mampu" above the social
    assistance programmes for poor families (judged set, tune half: colloquial 0.895 -> 0.922)."""
    return 1.0 / len(terms) ** 0.5


@cache
def _lexicon(features: Features) -> dict[tuple[str, ...], Group]:
    """Term (folded words) -> its readings analysed, for the lexicons ``features`` switch on.
    Everyday Indonesian phrases are also known by their stems (daftar usaha: pendaftaran usaha,
    mendaftarkan usaha); single everyday words only as written (kerja is everyday, pekerjaan
    is not), and English terms too, since the stemmer is Indonesian."""
    table: dict[tuple[str, ...], Group] = {}
    stemmed: dict[tuple[str, ...], Group] = {}
    stem_ = analyzer(features).stem
    for feature, name in LEXICONS.items():
        if not getattr(features, feature):
            continue
        for words_, forms in lexicon_entries(name):
            if feature == "english":  # "change of address" is found as "change address"
                words_ = tuple(w for w in words_ if w not in _english_stopwords()) or words_
            readings = [tuple(dict.fromkeys(analyze(form, features))) for form in forms]
            group = tuple((terms, reading_weight(terms)) for terms in readings if terms)
            table.setdefault(words_, group)
            if feature != "english" and len(words_) > 1:
                stemmed.setdefault(tuple(stem_(w) for w in words_), group)
    for key, group in stemmed.items():
        table.setdefault(key, group)
    return table


@lru_cache(maxsize=50_000)
def _standard(word: str) -> str:
    """The standard word an everyday form stands for (nyari: cari; gak: tidak), else the word."""
    if word in informal.WORDS:
        return informal.WORDS[word]
    known = _dictionary().contains
    if len(word) < 4 or known(word):
        return word
    return informal.standard(word, known, _stemmer().stem) or word


def english_forms(word: str) -> tuple[str, ...]:
    """An English word's possible base forms, the word first: plurals (families: family,
    licences: licence, taxes: tax) and -ing/-ed forms (renewing: renew, moving: move)."""
    forms = [word]
    if len(word) > 4 and word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if len(word) > 3 and word.endswith("es"):
        forms.append(word[:-2])
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if len(base) >= 3 and word.endswith(suffix):
            forms += [base, base + "e"]
            if len(base) > 3 and base[-1] == base[-2]:
                forms.append(base[:-1])  # getting: get
    return tuple(dict.fromkeys(forms))


@cache
def _single_terms(features: Features) -> frozenset[str]:
    return frozenset(k[0] for k in _lexicon(features) if len(k) == 1)


def _english_base(word: str, features: Features) -> str:
    """The first base form of ``word`` that is a one-word lexicon term, else the word."""
    singles = _single_terms(features)
    return next((f for f in english_forms(word) if f in singles), word)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def expansions(text: str, features: Features = ALL) -> tuple[Group, ...]:
    """The groups the lexicons give a query: each lexicon term found in it (the longest first;
    plurals by their singular, English -ing/-ed forms by their base, everyday forms by their
    standard word, derived forms by their stems) with its readings. Terms may overlap but not
    nest: "buka usaha kecil" reads "buka usaha" and "usaha kecil", "birth certificate" does
    not read "certificate" again."""
    table = _lexicon(features)
    if not table:
        return ()
    raw = _raw_tokens(text)
    if features.english:
        raw = [w for w in raw if w not in _english_stopwords()]
    stem_ = analyzer(features).stem
    longest = max(len(k) for k in table)
    groups: list[Group] = []
    end = 0  # the tokens before it belong to a term already read
    for i in range(len(raw)):
        for size in range(min(longest, len(raw) - i), 0, -1):
            if i + size <= end:
                break
            span = tuple(raw[i : i + size])
            group = (
                table.get(span)
                or table.get(tuple(_singular(w) for w in span))
                or (size == 1 and table.get((_english_base(span[0], features),)))
                or table.get(tuple(_standard(w) for w in span))
                or table.get(tuple(stem_(w) for w in span))
            )
            if group:
                groups.append(group)
                end = i + size
                break
    return tuple(dict.fromkeys(groups))


@cache
def known_words(features: Features = ALL) -> frozenset[str]:
    """Words the analysis itself knows (stopwords, synonyms, lexicon terms): never corrected."""
    tables = analyzer(features)
    known = set(tables.stopwords) | set(tables.words)
    if features.english and features.stopwords:
        known |= _english_stopwords()
    known.update(w for phrase in tables.phrases for w in phrase)
    for feature, name in LEXICONS.items():
        if getattr(features, feature):
            known.update(w for words_, _ in lexicon_entries(name) for w in words_)
    return frozenset(known)


@lru_cache(maxsize=50_000)
def is_indonesian(word: str) -> bool:
    """A root word of the dictionary (langka, pasir): spelled right even where the catalog never
    uses it, so never corrected into a catalog word. Derived forms are not counted: a typo's
    stem is too often some root (tune half of the judged set: typo nDCG 0.992 -> 0.888)."""
    return _dictionary().contains(word)


def raw_tokens(text: str) -> list[str]:
    """Folded tokens of a text, stopwords and all."""
    return _raw_tokens(text)
