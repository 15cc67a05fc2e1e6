"""The contract every search backend passes. Backends' test modules subclass ``Contract`` and
provide a ``backend`` fixture returning an empty backend."""

from __future__ import annotations

from typing import Any

from simpul.search.base import build_query, document

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


def ids(result) -> list[str]:
    return [item["identifier"] for item in result.items]


class Contract:
    """Index CORPUS, then query it the ways portals do."""

    def load(self, backend, records=CORPUS) -> None:
        backend.index_documents([document(r) for r in records])
        backend.commit(len(records))

    def search(self, backend, q=None, **kwargs):
        return backend.search(build_query(q, **kwargs))

    def test_empty_index(self, backend):
        assert self.search(backend, "akta").total == 0
        assert backend.count() == 0

    def test_affixes_are_conflated(self, backend):
        self.load(backend)
        assert ids(self.search(backend, "terbit akta lahir"))[0] == "akta-kelahiran"
        assert ids(self.search(backend, "kelahiran"))[0] == "akta-kelahiran"

    def test_synonyms_and_abbreviations(self, backend):
        self.load(backend)
        assert ids(self.search(backend, "akte"))[0] == "akta-kelahiran"
        assert ids(self.search(backend, "e-KTP"))[0] == "ktp-el"
        assert ids(self.search(backend, "kk"))[0] == "kartu-keluarga"
        assert ids(self.search(backend, "IMB"))[0] == "pbg"
        assert ids(self.search(backend, "surat kelakuan baik"))[0] == "skck"

    def test_typos_are_tolerated(self, backend):
        self.load(backend)
        assert "akta-kelahiran" in ids(self.search(backend, "kelahirn"))
        assert "pbg" in ids(self.search(backend, "persetujuan banguan"))

    def test_english_names(self, backend):
        self.load(backend)
        assert ids(self.search(backend, "birth certificate"))[0] == "akta-kelahiran"

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

    def test_area_reaches_up_the_tree(self, backend):
        self.load(backend)
        village = sorted(ids(self.search(backend, area="75.03.01.2004", size=50)))
        assert village == ["domisili", "skck", "spmb"]  # village, national, provincial
        city = sorted(ids(self.search(backend, area="75.71", size=50)))
        assert city == ["akta-kelahiran", "kartu-keluarga", "ktp-el", "skck", "spmb"]
        province = set(ids(self.search(backend, area="75", size=50)))
        assert {"pbg", "domisili", "akta-kelahiran"} <= province  # what lies within, too

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
