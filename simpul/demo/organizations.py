"""The demo federation around Gorontalo: central agencies, the province, its six regencies and
cities with their offices, some districts and villages."""

from __future__ import annotations

CENTRAL = [
    (
        "kemendagri",
        "Kementerian Dalam Negeri",
        "Ministry of Home Affairs",
        None,
        "kemendagri.go.id",
    ),
    (
        "ditjen-dukcapil",
        "Direktorat Jenderal Kependudukan dan Pencatatan Sipil",
        "Directorate General of Population and Civil Registration",
        "kemendagri",
        "dukcapil.kemendagri.go.id",
    ),
    ("kemenkes", "Kementerian Kesehatan", "Ministry of Health", None, "kemkes.go.id"),
    (
        "kemendikdasmen",
        "Kementerian Pendidikan Dasar dan Menengah",
        "Ministry of Primary and Secondary Education",
        None,
        "kemendikdasmen.go.id",
    ),
    ("kemensos", "Kementerian Sosial", "Ministry of Social Affairs", None, "kemensos.go.id"),
    (
        "polri",
        "Kepolisian Negara Republik Indonesia",
        "Indonesian National Police",
        None,
        "polri.go.id",
    ),
    ("bkn", "Badan Kepegawaian Negara", "National Civil Service Agency", None, "bkn.go.id"),
    (
        "bpjs-kesehatan",
        "BPJS Kesehatan",
        "Social Security Agency for Health",
        None,
        "bpjs-kesehatan.go.id",
    ),
]

PROVINCE = {
    "code": "75",
    "id": "pemprov-gorontalo",
    "name": "Pemerintah Provinsi Gorontalo",
    "en": "Provincial Government of Gorontalo",
    "domain": "gorontaloprov.go.id",
    "capital": "Kota Gorontalo",
}

PROVINCE_OFFICES = [
    (
        "dinkes-prov-gorontalo",
        "Dinas Kesehatan Provinsi Gorontalo",
        "Gorontalo Provincial Health Office",
    ),
    (
        "dikbud-prov-gorontalo",
        "Dinas Pendidikan dan Kebudayaan Provinsi Gorontalo",
        "Gorontalo Provincial Education and Culture Office",
    ),
    (
        "dinsos-prov-gorontalo",
        "Dinas Sosial Provinsi Gorontalo",
        "Gorontalo Provincial Social Affairs Office",
    ),
    (
        "bkd-prov-gorontalo",
        "Badan Kepegawaian Daerah Provinsi Gorontalo",
        "Gorontalo Provincial Civil Service Agency",
    ),
]

# code, slug, Indonesian name, capital (seat of government), web domain
REGENCIES = [
    ("75.71", "kota-gorontalo", "Kota Gorontalo", "Kota Gorontalo", "gorontalokota.go.id"),
    ("75.01", "kab-gorontalo", "Kabupaten Gorontalo", "Limboto", "gorontalokab.go.id"),
    ("75.02", "kab-boalemo", "Kabupaten Boalemo", "Tilamuta", "boalemokab.go.id"),
    ("75.03", "kab-bone-bolango", "Kabupaten Bone Bolango", "Suwawa", "bonebolangokab.go.id"),
    ("75.04", "kab-pohuwato", "Kabupaten Pohuwato", "Marisa", "pohuwatokab.go.id"),
    ("75.05", "kab-gorontalo-utara", "Kabupaten Gorontalo Utara", "Kwandang", "gorutkab.go.id"),
]

# prefix, Indonesian office name, English office name
REGENCY_OFFICES = [
    (
        "disdukcapil",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Population and Civil Registration Office",
    ),
    ("dinkes", "Dinas Kesehatan", "Health Office"),
    ("disdik", "Dinas Pendidikan", "Education Office"),
    ("dinsos", "Dinas Sosial", "Social Affairs Office"),
    (
        "dpmptsp",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "Investment and One-Stop Service Office",
    ),
    (
        "bkpsdm",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "Civil Service and Human Resources Agency",
    ),
]

# code, slug, name; the regency slug is the parent's suffix
DISTRICTS = [
    ("75.71.01", "kecamatan-kota-barat", "Kecamatan Kota Barat", "kota-gorontalo"),
    ("75.01.01", "kecamatan-limboto", "Kecamatan Limboto", "kab-gorontalo"),
    ("75.03.01", "kecamatan-tapa", "Kecamatan Tapa", "kab-bone-bolango"),
]

# code, slug, name, kind (desa or kelurahan), parent district slug
VILLAGES = [
    (
        "75.71.01.1001",
        "kelurahan-dembe-1",
        "Kelurahan Dembe I",
        "kelurahan",
        "kecamatan-kota-barat",
    ),
    ("75.01.01.1006", "kelurahan-hutuo", "Kelurahan Hutuo", "kelurahan", "kecamatan-limboto"),
    ("75.03.01.2004", "desa-talumopatu", "Desa Talumopatu", "desa", "kecamatan-tapa"),
    ("75.03.01.2007", "desa-langge", "Desa Langge", "desa", "kecamatan-tapa"),
]


def organizations() -> list[dict]:
    """Every demo organization, parents before children."""
    out = [
        {
            "id": slug,
            "name": {"id": name, "en": en},
            "level": "pusat",
            "parent": parent,
            "homepage": f"https://{domain}",
        }
        for slug, name, en, parent, domain in CENTRAL
    ]
    p = PROVINCE
    out.append(
        {
            "id": p["id"],
            "name": {"id": p["name"], "en": p["en"]},
            "level": "provinsi",
            "area": p["code"],
            "homepage": f"https://{p['domain']}",
        }
    )
    for slug, name, en in PROVINCE_OFFICES:
        out.append(
            {
                "id": slug,
                "name": {"id": name, "en": en},
                "level": "provinsi",
                "area": p["code"],
                "parent": p["id"],
                "homepage": f"https://{p['domain']}",
            }
        )
    for code, slug, name, _capital, domain in REGENCIES:
        gov = (
            f"pemkot-{slug.removeprefix('kota-')}"
            if slug.startswith("kota")
            else f"pemkab-{slug.removeprefix('kab-')}"
        )
        kind_en = "City" if slug.startswith("kota") else "Regency"
        out.append(
            {
                "id": gov,
                "name": {
                    "id": f"Pemerintah {name}",
                    "en": f"Government of {name.split(' ', 1)[1]} {kind_en}",
                },
                "level": "kabkota",
                "area": code,
                "parent": p["id"],
                "homepage": f"https://{domain}",
            }
        )
        for prefix, office, office_en in REGENCY_OFFICES:
            out.append(
                {
                    "id": f"{prefix}-{slug}",
                    "name": {"id": f"{office} {name}", "en": f"{office_en}, {name}"},
                    "level": "kabkota",
                    "area": code,
                    "parent": gov,
                    "homepage": f"https://{domain}",
                }
            )
    govs = {o["area"]: o["id"] for o in out if o["id"].startswith(("pemkot-", "pemkab-"))}
    for code, slug, name, _regency in DISTRICTS:
        out.append(
            {
                "id": slug,
                "name": {"id": name, "en": f"{name.removeprefix('Kecamatan ')} District"},
                "level": "kecamatan",
                "area": code,
                "parent": govs[code.rsplit(".", 1)[0]],
            }
        )
    for code, slug, name, kind, district in VILLAGES:
        en = f"{name.split(' ', 1)[1]} {'Village' if kind == 'desa' else 'Urban Village'}"
        out.append(
            {
                "id": slug,
                "name": {"id": name, "en": en},
                "level": "desa",
                "area": code,
                "parent": district,
            }
        )
    for org in out:
        if org.get("parent") is None:
            org.pop("parent", None)
    return out
