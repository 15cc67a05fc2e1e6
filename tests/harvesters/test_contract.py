"""The source-type contract (simpul.harvesters.testing) run against every built-in type."""

from __future__ import annotations

import orjson
import pytest

from simpul.harvesters import BUILTIN
from simpul.harvesters.testing import Contract
from tests.data import TEST_DATA
from tests.harvesters.types.test_apigateway import PREFIX, Devportal, api
from tests.harvesters.types.test_ckan import Ckan, service_package
from tests.harvesters.types.test_spreadsheet import XLSX, csv_bytes, xlsx_bytes
from tests.services.http import Response

FINNISH_SERVICES = [
    "Building permit",
    "Care at a municipal day-care centre",
    "Fire inspections",
    "Pre-school education",
    "Start-up grant",
    "Waste management",
]
JUNK = Response(b"<html><body>Bad Gateway</body></html>\x00", "text/html")


def test_every_builtin_type_has_a_contract_run():
    tested = {cls.kind for cls in Contract.__subclasses__()}
    assert tested == set(BUILTIN)


class TestJson(Contract):
    kind = "json"

    @pytest.fixture
    def served(self, remote):
        items = [{"kode": f"k{i}", "judul": f"Layanan {i}", "biaya": "Rp 5.000"} for i in range(7)]
        items.append({"kode": "tanpa-nama"})

        def page(request):
            number = int(request.query["page"])
            return Response(orjson.dumps({"data": items[(number - 1) * 3 : number * 3]}))

        url = remote.route("/layanan", page)
        options = {
            "key": "kode",
            "fields": {"identifier": "kode", "name": "judul", "cost": "biaya"},
            "pagination": {"style": "page", "size": 3},
        }
        return url, options, 8

    @pytest.fixture
    def produced(self):
        return [f"Layanan {i}" for i in range(7)]  # "tanpa-nama" has no name

    @pytest.fixture
    def junk(self, remote):
        return remote.route("/junk", JUNK), {}


class TestCkan(Contract):
    kind = "ckan"

    @pytest.fixture
    def served(self, remote):
        remote.route("/api/3/action/package_search", Ckan([service_package(i) for i in range(5)]))
        return remote.base, {"rows": 2}, 5

    @pytest.fixture
    def produced(self):
        return [f"Surat Keterangan Nomor {i}" for i in range(5)]

    @pytest.fixture
    def junk(self, remote):
        remote.route("/api/3/action/package_search", JUNK)
        return remote.base, {}


class TestRdf(Contract):
    kind = "rdf"

    @pytest.fixture
    def served(self, remote):
        data = (TEST_DATA / "samples/cpsv/cpsv-ap-2-municipal-services.ttl").read_bytes()
        return remote.route("/fi.ttl", Response(data, "text/turtle")), {}, 6

    @pytest.fixture
    def produced(self):
        return FINNISH_SERVICES

    @pytest.fixture
    def junk(self, remote):
        return remote.route("/junk.ttl", Response(b"@prefix broken", "text/turtle")), {}


class TestSpreadsheet(Contract):
    kind = "spreadsheet"

    @pytest.fixture(params=["csv", "xlsx"])
    def served(self, remote, request):
        if request.param == "csv":
            return remote.route("/sp.csv", Response(csv_bytes(), "text/csv")), {}, 3
        return remote.route("/sp.xlsx", Response(xlsx_bytes(), XLSX)), {}, 3

    @pytest.fixture
    def produced(self):
        return ["Penerbitan Kartu Keluarga", "Legalisir Dokumen"]  # one row has no name

    @pytest.fixture
    def junk(self, remote):
        return remote.route("/junk.xlsx", Response(b"PK\x03\x04 broken", XLSX)), {}


class TestApiGateway(Contract):
    kind = "api-gateway"

    @pytest.fixture
    def served(self, remote):
        Devportal(remote, [api(1, "akta-kelahiran"), api(2), api(3)])
        return remote.base, {"limit": 2}, 3

    @pytest.fixture
    def produced(self):
        return ["LayananApi1", "LayananApi2", "LayananApi3"]  # inventory entries

    @pytest.fixture
    def junk(self, remote):
        remote.route(f"{PREFIX}/apis", JUNK)
        return remote.base, {}


class TestSimpul(Contract):
    kind = "simpul"

    @pytest.fixture
    def served(self, tmp_path):
        from tests.harvesters.types.test_simpul import DESA, make_node, publish_at

        node = make_node(tmp_path, "desa", "desa", "75.03.01.2007", DESA)
        for n in range(3):
            publish_at(node, f"layanan-{n}", f"Layanan {n}")
        yield node.base, {"limit": 2}, 3
        node.close()

    @pytest.fixture
    def produced(self):
        return ["Layanan 0", "Layanan 1", "Layanan 2"]

    @pytest.fixture
    def junk(self, remote):
        remote.route("/api/v1/node", JUNK)
        return remote.base, {}


class TestHsds(Contract):
    kind = "hsds"

    @pytest.fixture
    def served(self, remote):
        import json

        from tests.harvesters.types.test_hsds import hsds_pages

        example = json.loads((TEST_DATA / "samples/hsds/service_list.json").read_text())
        [service] = example["contents"]
        services = [{**service, "id": f"svc-{n}"} for n in range(5)]
        remote.route("/services", hsds_pages(services, per_page_default=2))
        return (
            remote.base,
            {"pagination": {"style": "page", "size_param": "per_page", "size": 2}},
            5,
        )

    @pytest.fixture
    def produced(self):
        return ["Layanan Konseling Keluarga"] * 5

    @pytest.fixture
    def junk(self, remote):
        remote.route("/services", JUNK)
        return remote.base, {}
