"""Synthetic federation at Indonesian scale: the real region tree, services spread over the 514
regencies/cities by population, every field of the record filled the way real pages fill them.

    python -m bench.generate --services 100000 --out var/bench-federation

writes ``organizations.jsonl`` and one ``services/<org>.jsonl`` per publishing organization.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

from simpul.reference import codelists
from simpul.reference.areas import load_areas

HERE = Path(__file__).parent
OFFICES = [
    ("disdukcapil", "kependudukan"),
    ("dinkes", "kesehatan"),
    ("disdik", "pendidikan"),
    ("dinsos", "sosial"),
    ("dpmptsp", "perizinan"),
    ("bkpsdm", "kepegawaian"),
]
NOUNS = [
    "akta kelahiran",
    "kartu keluarga",
    "izin usaha",
    "surat keterangan",
    "rekomendasi",
    "legalisir",
    "bantuan sosial",
    "pendaftaran",
    "sertifikat",
    "perpanjangan",
    "izin praktik",
    "izin lingkungan",
    "kartu identitas",
    "pengesahan",
    "penerbitan",
    "pelaporan",
    "verifikasi",
    "pemutakhiran data",
    "pengaduan",
    "konsultasi",
    "pemeriksaan",
    "rujukan",
    "beasiswa",
    "mutasi",
    "cuti",
    "pensiun",
]
QUALIFIERS = [
    "bagi penduduk",
    "untuk pelaku usaha",
    "tenaga kesehatan",
    "sekolah dasar",
    "warga lanjut usia",
    "penyandang disabilitas",
    "keluarga miskin",
    "aparatur sipil negara",
    "petani",
    "nelayan",
    "pedagang pasar",
    "kendaraan bermotor",
    "bangunan gedung",
    "rumah ibadah",
    "koperasi",
]
WORDS = [
    "pelayanan",
    "pemohon",
    "berkas",
    "formulir",
    "petugas",
    "verifikasi",
    "dokumen",
    "asli",
    "fotokopi",
    "ditandatangani",
    "kepala",
    "dinas",
    "loket",
    "antrean",
    "daring",
    "aplikasi",
    "persyaratan",
    "lengkap",
    "hari",
    "kerja",
    "diterbitkan",
    "surat",
    "keterangan",
    "desa",
    "kelurahan",
    "kecamatan",
    "kabupaten",
    "kota",
    "provinsi",
    "nasional",
    "data",
    "kependudukan",
    "nomor",
    "induk",
    "tanda",
    "tangan",
    "elektronik",
    "pembayaran",
    "retribusi",
    "gratis",
    "tanpa",
    "biaya",
    "rekomendasi",
    "lampiran",
    "pengesahan",
    "salinan",
    "asli",
    "pindai",
    "unggah",
    "surel",
    "nomor",
    "telepon",
    "pengaduan",
    "survei",
    "kepuasan",
]


def population_weights() -> list[tuple[str, int]]:
    with (HERE / "population.csv").open(newline="") as fh:
        rows = [(r["code"], int(r["population"])) for r in csv.DictReader(fh)]
    return [(code, pop) for code, pop in rows if code.count(".") == 1]


def organizations() -> list[dict]:
    areas = load_areas()
    out = [{"id": "kementerian-sintetis", "name": {"id": "Kementerian Sintetis"}, "level": "pusat"}]
    for province in areas.children("00"):
        out.append(
            {
                "id": f"pemprov-{province.code}",
                "name": {"id": f"Pemerintah Provinsi {province.name}"},
                "level": "provinsi",
                "area": province.code,
            }
        )
    for code, _ in population_weights():
        regency = areas.get(code)
        for office, _sector in OFFICES:
            out.append(
                {
                    "id": f"{office}-{code.replace('.', '-')}",
                    "name": {"id": f"Dinas {office.title()} {regency.name}"},
                    "level": "kabkota",
                    "area": code,
                    "parent": f"pemprov-{code[:2]}",
                }
            )
    return out


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n)).capitalize() + "."


def record(rng: random.Random, number: int, regency: str, sector: str) -> dict:
    noun, qualifier = rng.choice(NOUNS), rng.choice(QUALIFIERS)
    areas = load_areas()
    districts = areas.children(regency)
    coverage = [regency] if rng.random() < 0.7 or not districts else [rng.choice(districts).code]
    return {
        "identifier": f"layanan-{number}",
        "name": {"id": f"{noun.capitalize()} {qualifier} {number}", "en": f"Service {number}"},
        "description": {"id": _text(rng, 40)},
        "keywords": rng.sample(NOUNS, 3),
        "sectors": [sector],
        "audiences": rng.sample(list(codelists.AUDIENCES), 2),
        "life_events": rng.sample(list(codelists.LIFE_EVENTS), 1),
        "areas": coverage,
        "channels": [
            {"type": "online", "url": f"https://layanan.example.go.id/{number}"},
            {"type": "loket", "name": {"id": "Loket pelayanan"}, "address": _text(rng, 5)},
        ],
        "requirements": [{"id": _text(rng, 6)} for _ in range(rng.randint(2, 5))],
        "procedure": [{"id": _text(rng, 8)} for _ in range(rng.randint(3, 6))],
        "processing_time": f"P{rng.randint(1, 30)}D",
        "cost": {"amount": rng.choice([0, 0, 0, 10000, 25000, 50000]), "currency": "IDR"},
        "outputs": [{"id": f"Dokumen {noun}"}],
        "complaints": {"id": "Pengaduan melalui SP4N-LAPOR!", "url": "https://www.lapor.go.id"},
        "legal_basis": [{"title": "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik"}],
        "management": {
            "facilities": {"id": _text(rng, 10)},
            "staff_count": rng.randint(1, 20),
            "service_guarantee": {"id": _text(rng, 8)},
        },
        "integration": {"status": rng.choice(list(codelists.INTEGRATION_STATUSES))},
    }


def services(total: int, seed: int = 7) -> Iterator[tuple[str, dict]]:
    """(authority, record) pairs, spread over regencies by population."""
    rng = random.Random(seed)
    weights = population_weights()
    cumulative = list(itertools.accumulate(pop for _, pop in weights))
    for number in range(total):
        pick = bisect.bisect(cumulative, rng.random() * cumulative[-1])
        regency = weights[min(pick, len(weights) - 1)][0]
        office, sector = rng.choice(OFFICES)
        yield f"{office}-{regency.replace('.', '-')}", record(rng, number, regency, sector)


def write(out: Path, total: int, seed: int = 7) -> dict[str, Path]:
    """Write the federation; return the services file of each organization."""
    (out / "services").mkdir(parents=True, exist_ok=True)
    with (out / "organizations.jsonl").open("w") as fh:
        for org in organizations():
            fh.write(json.dumps(org) + "\n")
    files: dict[str, Path] = {}
    handles = {}
    try:
        for authority, rec in services(total, seed):
            if authority not in handles:
                files[authority] = out / "services" / f"{authority}.jsonl"
                handles[authority] = files[authority].open("w")
            handles[authority].write(json.dumps(rec, ensure_ascii=False) + "\n")
    finally:
        for handle in handles.values():
            handle.close()
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("var/bench-federation"))
    args = parser.parse_args()
    files = write(args.out, args.services, args.seed)
    print(
        json.dumps(
            {
                "services": args.services,
                "organizations_publishing": len(files),
                "out": str(args.out),
            }
        )
    )


if __name__ == "__main__":
    main()
