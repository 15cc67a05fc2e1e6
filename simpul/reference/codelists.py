"""Code lists with Indonesian and English labels.

Codes are stored by other nodes: never rename one. Add new codes at the end of a list.
"""

from __future__ import annotations

import difflib
from types import MappingProxyType

Labels = dict[str, str]


def _freeze(pairs: list[tuple[str, str, str]]) -> MappingProxyType:
    return MappingProxyType({code: {"id": id_, "en": en} for code, id_, en in pairs})


LEVELS = _freeze(
    [
        ("pusat", "Pemerintah Pusat", "Central government"),
        ("provinsi", "Pemerintah Provinsi", "Provincial government"),
        ("kabkota", "Pemerintah Kabupaten/Kota", "Regency/city government"),
        ("kecamatan", "Kecamatan", "District"),
        ("desa", "Desa/Kelurahan", "Village"),
    ]
)

SECTORS = _freeze(
    [
        ("kependudukan", "Administrasi Kependudukan", "Civil registration"),
        ("kesehatan", "Kesehatan", "Health"),
        ("pendidikan", "Pendidikan", "Education"),
        ("sosial", "Sosial", "Social affairs"),
        ("kepolisian", "Kepolisian", "Police"),
        ("kepegawaian", "Kepegawaian", "Civil service"),
        ("perizinan", "Perizinan", "Licensing"),
        ("pajak", "Pajak dan Retribusi", "Taxes and levies"),
        ("ketenagakerjaan", "Ketenagakerjaan", "Employment"),
        ("pertanian", "Pertanian", "Agriculture"),
        ("perhubungan", "Perhubungan", "Transport"),
        ("lingkungan", "Lingkungan Hidup", "Environment"),
        ("pertanahan", "Pertanahan", "Land affairs"),
        ("perdagangan", "Perdagangan", "Trade"),
        ("keagamaan", "Keagamaan", "Religious affairs"),
        ("kebencanaan", "Kebencanaan", "Disaster management"),
    ]
)

CHANNEL_TYPES = _freeze(
    [
        ("online", "Layanan daring", "Online service"),
        ("api", "API (SPLP)", "API (government service bus)"),
        ("loket", "Loket pelayanan", "Service counter"),
        ("telepon", "Telepon", "Telephone"),
        ("sms", "SMS", "Text message"),
        ("email", "Surel", "Email"),
        ("aplikasi-mobile", "Aplikasi seluler", "Mobile app"),
        ("pos", "Pos", "Post"),
    ]
)

AUDIENCES = _freeze(
    [
        ("masyarakat", "Masyarakat umum", "General public"),
        ("asn", "Aparatur Sipil Negara", "Civil servants"),
        ("pelajar", "Pelajar dan mahasiswa", "Students"),
        ("pelaku-usaha", "Pelaku usaha", "Businesses"),
        ("pencari-kerja", "Pencari kerja", "Job seekers"),
        ("petani", "Petani", "Farmers"),
        ("tenaga-kesehatan", "Tenaga kesehatan", "Health workers"),
        ("lansia", "Lanjut usia", "Older people"),
        ("penyandang-disabilitas", "Penyandang disabilitas", "People with disabilities"),
    ]
)

LIFE_EVENTS = _freeze(
    [
        ("kelahiran", "Kelahiran", "Birth"),
        ("kematian", "Kematian", "Death"),
        ("pernikahan", "Pernikahan", "Marriage"),
        ("perceraian", "Perceraian", "Divorce"),
        ("pindah-domisili", "Pindah domisili", "Moving house"),
        ("bersekolah", "Bersekolah", "Going to school"),
        ("mencari-kerja", "Mencari kerja", "Looking for a job"),
        ("kehilangan-pekerjaan", "Kehilangan pekerjaan", "Losing a job"),
        ("memulai-usaha", "Memulai usaha", "Starting a business"),
        ("membeli-properti", "Membeli properti", "Buying property"),
        ("pensiun", "Pensiun", "Retirement"),
        ("sakit", "Sakit", "Illness"),
        ("kehilangan-dokumen", "Kehilangan dokumen", "Losing a document"),
        ("bepergian-ke-luar-negeri", "Bepergian ke luar negeri", "Travelling abroad"),
        ("bencana", "Bencana", "Disaster"),
    ]
)

INTEGRATION_STATUSES = _freeze(
    [
        ("inventoried", "Terinventarisasi", "Inventoried"),
        ("assessed", "Sudah dinilai", "Assessed"),
        ("integrating", "Dalam proses integrasi", "Being integrated"),
        ("integrated", "Terintegrasi", "Integrated"),
        ("not-integrable", "Belum dapat diintegrasikan", "Cannot be integrated yet"),
    ]
)

SERVICE_STATUSES = _freeze(
    [
        ("active", "Aktif", "Active"),
        ("inactive", "Tidak aktif", "Inactive"),
        ("planned", "Direncanakan", "Planned"),
    ]
)

ROLES = _freeze(
    [
        ("editor", "Penyunting", "Editor"),
        ("admin", "Administrator", "Administrator"),
        ("coordinator", "Koordinator", "Coordinator"),
    ]
)

# What a national service type is (jenis layanan): the kind its instances inherit.
TYPE_KINDS = _freeze(
    [
        ("permohonan", "Permohonan dan perizinan", "Application and permit"),
        ("pendaftaran", "Pendaftaran", "Registration"),
        ("pencatatan", "Pencatatan dan pelaporan", "Recording and reporting"),
        ("bantuan", "Bantuan dan subsidi", "Benefit and assistance"),
        ("informasi", "Informasi", "Information"),
        ("pengaduan", "Pengaduan", "Complaint"),
        ("pelayanan", "Pelayanan langsung", "Direct service provision"),
    ]
)

TYPE_STATUSES = _freeze(
    [
        ("active", "Berlaku", "In force"),
        ("retired", "Dicabut", "Retired"),
    ]
)

# What an organization declares of a type it does not offer itself.
DECLARATIONS = _freeze(
    [
        ("not-offered", "Tidak diselenggarakan", "Not offered"),
        ("covered", "Dilayani organisasi lain", "Covered by another organization"),
    ]
)

# Applications (aplikasi) behind e-services, as the SPBE inventory describes them.
APPLICATION_KINDS = _freeze(
    [
        ("web", "Aplikasi web", "Web application"),
        ("mobile", "Aplikasi seluler", "Mobile app"),
        ("api", "Layanan API", "API service"),
        ("desktop", "Aplikasi desktop", "Desktop application"),
        ("chatbot", "Chatbot/WhatsApp", "Chatbot/WhatsApp"),
    ]
)

# Perpres 95/2018 (SPBE): a general application serves every agency alike, a special one a
# particular agency's own business.
APPLICATION_CATEGORIES = _freeze(
    [
        ("umum", "Aplikasi umum", "General application"),
        ("khusus", "Aplikasi khusus", "Special application"),
    ]
)

APPLICATION_LIFECYCLES = _freeze(
    [
        ("direncanakan", "Direncanakan", "Planned"),
        ("dikembangkan", "Dikembangkan", "In development"),
        ("digunakan", "Digunakan", "In use"),
        ("dihentikan", "Dihentikan", "Discontinued"),
    ]
)

HOSTING = _freeze(
    [
        ("pdn", "Pusat Data Nasional", "National data centre"),
        ("pusat-data-daerah", "Pusat data daerah", "Regional data centre"),
        ("cloud", "Komputasi awan", "Cloud"),
        ("on-premise", "Server milik instansi", "On premises"),
    ]
)

INTERFACE_TYPES = _freeze(
    [
        ("none", "Tanpa antarmuka", "No interface"),
        ("rest", "REST", "REST"),
        ("soap", "SOAP", "SOAP"),
        ("graphql", "GraphQL", "GraphQL"),
    ]
)

API_AUTHENTICATION = _freeze(
    [
        ("none", "Tanpa autentikasi", "No authentication"),
        ("api-key", "Kunci API", "API key"),
        ("oauth2", "OAuth 2.0", "OAuth 2.0"),
        ("basic", "Autentikasi dasar", "Basic authentication"),
        ("mtls", "TLS dua arah", "Mutual TLS"),
    ]
)

SPLP_STATUSES = _freeze(
    [
        ("belum", "Belum terdaftar di SPLP", "Not on SPLP"),
        ("terdaftar", "Terdaftar di SPLP", "Registered on SPLP"),
        ("terhubung", "Terhubung melalui SPLP", "Connected through SPLP"),
    ]
)

# The security category of an electronic system (BSSN regulation 4/2021 on SPBE security).
SECURITY_LEVELS = _freeze(
    [
        ("rendah", "Rendah", "Low"),
        ("sedang", "Sedang", "Medium"),
        ("tinggi", "Tinggi", "High"),
    ]
)

CODE_LISTS: MappingProxyType = MappingProxyType(
    {
        "levels": LEVELS,
        "sectors": SECTORS,
        "channel-types": CHANNEL_TYPES,
        "audiences": AUDIENCES,
        "life-events": LIFE_EVENTS,
        "integration-statuses": INTEGRATION_STATUSES,
        "service-statuses": SERVICE_STATUSES,
        "type-kinds": TYPE_KINDS,
        "type-statuses": TYPE_STATUSES,
        "declarations": DECLARATIONS,
        "application-kinds": APPLICATION_KINDS,
        "application-categories": APPLICATION_CATEGORIES,
        "application-lifecycles": APPLICATION_LIFECYCLES,
        "hosting": HOSTING,
        "interface-types": INTERFACE_TYPES,
        "api-authentication": API_AUTHENTICATION,
        "splp-statuses": SPLP_STATUSES,
        "security-levels": SECURITY_LEVELS,
    }
)


def unknown_code_message(value: object, codes: MappingProxyType, what: str) -> str:
    """A message naming the bad code, the nearest valid one (by code or by its Indonesian or
    English label, so 'aktif' suggests 'active') and the list."""
    text = str(value).strip().lower()
    names = {code: code for code in codes}
    for code, labels in codes.items():
        names.update({label.lower(): code for label in labels.values()})
    near = difflib.get_close_matches(text, list(names), n=1, cutoff=0.6)
    hint = f"; did you mean {names[near[0]]!r}?" if near else "."
    return f"unknown {what} {str(value)!r}{hint} Known: {', '.join(codes)}"
