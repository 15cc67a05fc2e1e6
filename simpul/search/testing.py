"""The contract every search backend passes. Backends' test modules subclass ``Contract`` and
provide a ``backend`` fixture returning an empty backend.

Each search feature has a test here that needs it: ``test_each_feature_is_needed`` runs that test
with the feature alone switched off (``Features``) and expects it to fail. So the queries of
those tests avoid every other route to their answer: an affixed form that no synonym maps and
that typo tolerance cannot reach, an abbreviation that the record does not carry, a misspelling
whose correct word is the only one to match."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from simpul.search.base import build_query, document
from simpul.search.features import ALL, Features

STAMP = "2026-11-01T00:00:00+00:00"


def record(identifier: str, title: str, **fields: Any) -> dict[str, Any]:
    base = {
        "id": f"id-{identifier}",
        "uri": f"http://simpul.test/services/id-{identifier}",
        "identifier": identifier,
        "authority": "disdukcapil-kota-gorontalo",
        "level": "kabkota",
        "name": {"id": title},
        "areas": ["75.71"],
        "sectors": ["kependudukan"],
        "channels": [{"type": "loket"}],
        "status": "active",
        "modified": STAMP,
    }
    base.update(fields)
    return base


CORPUS = [
    record(
        "akta-kelahiran",
        "Penerbitan Akta Kelahiran",
        keywords=["akta lahir"],
        name={"id": "Penerbitan Akta Kelahiran", "en": "Birth Certificate Issuance"},
        life_events=["kelahiran"],
    ),
    record("ktp-el", "Perekaman dan Pencetakan KTP-el"),
    record("kartu-keluarga", "Penerbitan Kartu Keluarga"),
    record(
        "skck",
        "Surat Keterangan Catatan Kepolisian",
        authority="polri",
        level="pusat",
        areas=["00"],
        sectors=["kepolisian"],
        channels=[{"type": "online"}],
    ),
    record(
        "pbg",
        "Persetujuan Bangunan Gedung",
        authority="dpmptsp-kab-boalemo",
        areas=["75.02"],
        sectors=["perizinan"],
        integration={"status": "integrated"},
        modified="2026-11-20T00:00:00+00:00",
    ),
    record(
        "domisili",
        "Surat Keterangan Domisili",
        authority="desa-talumopatu",
        level="desa",
        areas=["75.03.01.2004"],
    ),
    record(
        "spmb",
        "Sistem Penerimaan Murid Baru SMA",
        authority="dikbud-prov-gorontalo",
        level="provinsi",
        areas=["75"],
        sectors=["pendidikan"],
    ),
]


_OTHER_LEVELS = {
    r["name"]["id"] for r in CORPUS if r["level"] != "kabkota"
}  # the names of CORPUS records that are not kabkota services


def _described(identifier, title, description, requirement, output):
    return record(
        identifier,
        title,
        description={"id": description},
        requirements=[{"id": requirement}],
        outputs=[{"id": output}],
    )


# every field filled, as in real catalogs, so that no field's matches count for more only
# because few records fill it
DESCRIBED = [
    _described(
        "kartu-keluarga",
        "Penerbitan Kartu Keluarga",
        "Dokumen susunan dan hubungan dalam keluarga.",
        "Surat pengantar RT",
        "Dokumen yang diterbitkan",
    ),
    _described(  # gives a new family card, says so three times, but not in its name
        "pindah-datang",
        "Pindah Datang",
        "Kartu keluarga baru di alamat tujuan.",
        "Kartu keluarga asal",
        "Kartu keluarga baru",
    ),
    _described(
        "akta-kelahiran",
        "Penerbitan Akta Kelahiran",
        "Pencatatan kelahiran seorang anak.",
        "Surat keterangan dari bidan",
        "Kutipan akta",
    ),
    _described(
        "skck",
        "Surat Keterangan Catatan Kepolisian",
        "Catatan kriminal seseorang.",
        "Sidik jari",
        "Surat dari Polres",
    ),
]


def ids(result) -> list[str]:
    return [item["identifier"] for item in result.items]


def first(result) -> str | None:
    return result.items[0]["identifier"] if result.items else None


class Contract:
    """Index CORPUS, then query it the ways portals do."""

    # each feature -> the test that needs it
    NEEDS = {
        "stemming": "test_affixes_are_conflated",
        "synonyms": "test_synonyms_and_abbreviations",
        "stopwords": "test_function_words_select_nothing",
        "typos": "test_typos_are_tolerated",
        "english": "test_english_names",
        "area_reach": "test_area_reaches_up_the_tree",
        "area_rank": "test_the_area_asked_for_ranks_first",
        "field_boosts": "test_names_count_most",
    }

    def load(self, backend, records=CORPUS, features: Features = ALL) -> None:
        backend.index_documents([document(r, features) for r in records])
        backend.commit(len(records))

    def search(self, backend, q=None, features: Features = ALL, **kwargs):
        return backend.search(
            build_query(q, features=features, vocabulary=backend.vocabulary(), **kwargs)
        )

    @pytest.mark.parametrize("feature", NEEDS)
    def test_each_feature_is_needed(self, backend, feature):
        """With ``feature`` alone off, the test named after it fails: it is evidence that can
        fail. (The index is built with the feature off, as queries are.)"""
        needs_it = getattr(self, self.NEEDS[feature])
        with pytest.raises(AssertionError):
            needs_it(backend, ALL.without(feature))

    def test_empty_index(self, backend):
        assert self.search(backend, "akta").total == 0
        assert backend.count() == 0

    def test_affixes_are_conflated(self, backend, features=ALL):
        """Word pairs that no synonym maps and that are too far apart for typo tolerance."""
        self.load(backend, features=features)
        search = functools.partial(self.search, backend, features=features)
        assert sorted(ids(search("terbit"))) == ["akta-kelahiran", "kartu-keluarga"]
        assert first(search("mencetak")) == "ktp-el"  # Pencetakan
        assert first(search("menyetujui")) == "pbg"  # Persetujuan

    def test_synonyms_and_abbreviations(self, backend, features=ALL):
        """Forms that the records do not carry: only the synonym list bridges them."""
        self.load(backend, features=features)
        search = functools.partial(self.search, backend, features=features)
        assert first(search("akte")) == "akta-kelahiran"
        assert first(search("ektp")) == "ktp-el"
        assert first(search("kk")) == "kartu-keluarga"
        assert first(search("IMB")) == "pbg"
        assert first(search("kartu tanda penduduk")) == "ktp-el"

    def test_function_words_select_nothing(self, backend, features=ALL):
        """One name has 'dan' (Perekaman dan Pencetakan KTP-el): a query's 'dan' finds none."""
        self.load(backend, features=features)
        found = ids(self.search(backend, "akta dan kartu", features=features))
        assert found and "ktp-el" not in found

    def test_typos_are_tolerated(self, backend, features=ALL):
        """Every word misspelled; the correct words are in the names."""
        self.load(backend, features=features)
        search = functools.partial(self.search, backend, features=features)
        assert "akta-kelahiran" in ids(search("kelahirn"))
        assert "pbg" in ids(search("banguan"))
        assert "skck" in ids(search("kepolisain"))

    def test_english_names(self, backend, features=ALL):
        self.load(backend, features=features)
        assert first(self.search(backend, "birth certificate", features=features)) == (
            "akta-kelahiran"
        )

    def test_names_count_most(self, backend, features=ALL):
        """The family card service names it; the moving service mentions it in three fields
        of less weight."""
        self.load(backend, DESCRIBED, features)
        assert first(self.search(backend, "kartu keluarga", features=features)) == (
            "kartu-keluarga"
        )

    def test_filters_and_facets(self, backend):
        self.load(backend)
        result = self.search(backend, filters={"sector": ["perizinan", "kepolisian"]})
        assert sorted(ids(result)) == ["pbg", "skck"]
        levels = {f["value"]: f["count"] for f in result.facets["level"]}
        assert levels == {"kabkota": 1, "pusat": 1}
        integrated = self.search(backend, filters={"integration": ["integrated"]})
        assert ids(integrated) == ["pbg"]
        online = self.search(backend, filters={"channel": ["online"]})
        assert ids(online) == ["skck"]
        births = self.search(backend, filters={"life_event": ["kelahiran"]})
        assert ids(births) == ["akta-kelahiran"]
        assert births.facets["life_event"] == [{"value": "kelahiran", "count": 1}]

    def test_area_reaches_up_the_tree(self, backend, features=ALL):
        self.load(backend, features=features)
        search = functools.partial(self.search, backend, features=features, size=50)
        village = sorted(ids(search(area="75.03.01.2004")))
        assert village == ["domisili", "skck", "spmb"]  # village, national, provincial
        city = sorted(ids(search(area="75.71")))
        assert city == ["akta-kelahiran", "kartu-keluarga", "ktp-el", "skck", "spmb"]
        province = set(ids(search(area="75")))
        assert {"pbg", "domisili", "akta-kelahiran"} <= province  # what lies within, too

    def test_area_facet(self, backend):
        """Per child area of the area asked for, each service once in every child it covers;
        national services apart. A child's count plus the national count is what a search of
        that child finds."""
        spread = [
            record("dua-kecamatan", "Layanan Dua Kecamatan", areas=["75.71.01", "75.71.02"]),
            record("dua-kabupaten", "Layanan Dua Kabupaten", areas=["75.71", "75.02"]),
            record("jakarta", "Layanan Jakarta", authority="dki", areas=["31.71"]),
        ]
        self.load(backend, CORPUS + spread)
        nation = self.search(backend, size=1)
        assert nation.facets["area"] == [{"value": "75", "count": 8}, {"value": "31", "count": 1}]
        assert nation.facets["national"] == [{"value": "00", "count": 1}]
        province = {f["value"]: f["count"] for f in self.search(backend, area="75").facets["area"]}
        # spmb (the province) is in every regency; dua-kecamatan once in 75.71
        assert province == {"75.71": 6, "75.02": 3, "75.03": 2, "75.01": 1, "75.04": 1} | {
            "75.05": 1
        }
        city = self.search(backend, area="75.71").facets
        assert city["national"] == [{"value": "00", "count": 1}]
        counts = {f["value"]: f["count"] for f in city["area"]}
        assert counts["75.71.01"] == counts["75.71.02"] == 6 and counts["75.71.03"] == 5
        for area in (None, "75", "75.71"):
            for bucket in self.search(backend, area=area).facets["area"]:
                found = self.search(backend, area=bucket["value"], size=1).total
                assert found == bucket["count"] + 1, bucket  # + the national service
        filtered = self.search(backend, filters={"sector": ["perizinan"]})
        assert filtered.facets["area"] == [{"value": "75", "count": 1}]
        assert filtered.facets["national"] == []
        village = self.search(backend, area="75.03.01.2004")
        assert village.facets["area"] == [] and village.total == 3

    def test_the_area_asked_for_ranks_first(self, backend, features=ALL):
        """Two services of one name: the national one says 'haji' once more, yet a search
        within the regency puts the regency's first (and the national one first elsewhere)."""
        twins = [
            record(
                "haji-nasional",
                "Pendaftaran Haji",
                authority="kemenag",
                level="pusat",
                areas=["00"],
                description={"id": "Pendaftaran haji reguler"},
            ),
            record("haji-bone-bolango", "Pendaftaran Haji", areas=["75.03"]),
        ]
        self.load(backend, twins, features)
        search = functools.partial(self.search, backend, "pendaftaran haji", features=features)
        assert ids(search(area="75.03.01")) == ["haji-bone-bolango", "haji-nasional"]
        assert first(search(area="75.71")) == "haji-nasional"

    def test_no_query_selects_by_filters_and_counts(self, backend):
        self.load(backend)
        assert self.search(backend, size=1).total == len(CORPUS)

    def test_delete_and_update(self, backend):
        self.load(backend)
        backend.delete(["id-skck"])
        backend.index_documents([document(record("ktp-el", "Layanan Identitas Digital"))])
        backend.commit(99)
        assert self.search(backend, "skck").total == 0
        assert ids(self.search(backend, "identitas digital")) == ["ktp-el"]
        assert backend.count() == len(CORPUS) - 1
        assert backend.cursor() == 99

    def test_sorting_and_paging(self, backend):
        self.load(backend)
        newest = self.search(backend, sort="-modified", size=1)
        assert ids(newest) == ["pbg"]
        # by the Indonesian name, letter case aside: "izin" comes before "Penerbitan"
        self.load(backend, [record("izin-usaha", "izin Usaha Mikro")])
        every = [r["name"]["id"] for r in CORPUS] + ["izin Usaha Mikro"]
        in_order = sorted(every, key=str.lower)
        assert in_order[0] == "izin Usaha Mikro"
        pages = [self.search(backend, sort="name", size=3, page=n) for n in (1, 2, 3)]
        assert [p.total for p in pages] == [len(every)] * 3
        assert [item["name"]["id"] for p in pages for item in p.items] == in_order
        assert [len(p.items) for p in pages] == [3, 3, 2]
        # without words, the filters alone select, in the same order
        kabkota = self.search(backend, filters={"level": ["kabkota"]}, size=10)
        assert [item["name"]["id"] for item in kabkota.items] == [
            name for name in in_order if name not in _OTHER_LEVELS
        ]

    def test_suggest(self, backend):
        self.load(backend)
        names = [s["name"]["id"] for s in backend.suggest("penerbitan")]
        assert names == ["Penerbitan Akta Kelahiran", "Penerbitan Kartu Keluarga"]
        assert (
            backend.suggest("surat keterangan do")[0]["name"]["id"] == "Surat Keterangan Domisili"
        )
        assert backend.suggest("zzz") == []
        assert backend.suggest("akta")[0]["name"]["id"] == "Penerbitan Akta Kelahiran"
        starts = backend.suggest("surat")
        assert [s["name"]["id"] for s in starts][:2] == [
            "Surat Keterangan Catatan Kepolisian",
            "Surat Keterangan Domisili",
        ]
