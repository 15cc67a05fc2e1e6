"""Services every regency/city of the demo offers, written as their service pages (standar
pelayanan) read. Each template is filled in with the regency's name, seat and web domain."""

from __future__ import annotations

from dataclasses import dataclass

LAPOR = {"url": "https://www.lapor.go.id"}
UU_PELAYANAN_PUBLIK = {
    "title": "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
    "identifier": "UU 25/2009",
}
UU_ADMINDUK = {
    "title": "Undang-Undang Nomor 24 Tahun 2013 tentang Perubahan atas Undang-Undang "
    "Nomor 23 Tahun 2006 tentang Administrasi Kependudukan",
    "identifier": "UU 24/2013",
}
PERPRES_96 = {
    "title": "Peraturan Presiden Nomor 96 Tahun 2018 tentang Persyaratan dan Tata Cara "
    "Pendaftaran Penduduk dan Pencatatan Sipil",
    "identifier": "Perpres 96/2018",
}
PERMENDAGRI_108 = {
    "title": "Peraturan Menteri Dalam Negeri Nomor 108 Tahun 2019 tentang Peraturan "
    "Pelaksanaan Peraturan Presiden Nomor 96 Tahun 2018",
    "identifier": "Permendagri 108/2019",
}
UU_KESEHATAN = {
    "title": "Undang-Undang Nomor 17 Tahun 2023 tentang Kesehatan",
    "identifier": "UU 17/2023",
}
UU_SISDIKNAS = {
    "title": "Undang-Undang Nomor 20 Tahun 2003 tentang Sistem Pendidikan Nasional",
    "identifier": "UU 20/2003",
}
UU_KESOS = {
    "title": "Undang-Undang Nomor 11 Tahun 2009 tentang Kesejahteraan Sosial",
    "identifier": "UU 11/2009",
}
UU_FAKIR_MISKIN = {
    "title": "Undang-Undang Nomor 13 Tahun 2011 tentang Penanganan Fakir Miskin",
    "identifier": "UU 13/2011",
}
PP_OSS = {
    "title": "Peraturan Pemerintah Nomor 28 Tahun 2025 tentang Penyelenggaraan Perizinan "
    "Berusaha Berbasis Risiko",
    "identifier": "PP 28/2025",
}
PP_BANGUNAN = {
    "title": "Peraturan Pemerintah Nomor 16 Tahun 2021 tentang Peraturan Pelaksanaan "
    "Undang-Undang Nomor 28 Tahun 2002 tentang Bangunan Gedung",
    "identifier": "PP 16/2021",
}
UU_ASN = {
    "title": "Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara",
    "identifier": "UU 20/2023",
}
PP_MANAJEMEN_PNS = {
    "title": "Peraturan Pemerintah Nomor 17 Tahun 2020 tentang Perubahan atas Peraturan "
    "Pemerintah Nomor 11 Tahun 2017 tentang Manajemen Pegawai Negeri Sipil",
    "identifier": "PP 17/2020",
}


@dataclass(frozen=True)
class Regency:
    code: str
    slug: str
    name: str  # Kota Gorontalo, Kabupaten Boalemo
    seat: str
    domain: str

    def office(self, prefix: str) -> str:
        return f"{prefix}-{self.slug}"


def management(office: str, staff: int, seat: str) -> dict:
    return {
        "facilities": {
            "id": f"Ruang tunggu ber-AC, mesin nomor antrean, loket prioritas bagi lansia, ibu hamil "
            f"dan penyandang disabilitas, ruang laktasi, toilet, serta area parkir di kantor "
            f"{office} di {seat}.",
            "en": "Air-conditioned waiting room, queue ticket machine, priority counter, lactation "
            "room, toilets and parking.",
        },
        "staff_competence": {
            "id": "Petugas memahami peraturan di bidangnya, mampu mengoperasikan aplikasi "
            "layanan, dan telah mengikuti pelatihan pelayanan prima."
        },
        "internal_supervision": {
            "id": "Pengawasan oleh atasan langsung secara berjenjang dan pemeriksaan "
            "berkala oleh Inspektorat Daerah."
        },
        "staff_count": staff,
        "service_guarantee": {
            "id": "Maklumat pelayanan dipajang di ruang layanan: pelayanan diberikan sesuai "
            "standar, dan petugas siap menerima sanksi bila melanggar."
        },
        "safety_guarantee": {
            "id": "Dokumen dan data pemohon dijaga kerahasiaannya; ruang layanan dilengkapi "
            "APAR, jalur evakuasi, dan CCTV."
        },
        "performance_evaluation": {
            "id": "Survei Kepuasan Masyarakat (SKM) setiap semester dan evaluasi kinerja "
            "pelaksana setiap tahun."
        },
    }


def _complaints(r: Regency) -> dict:
    return {
        "id": f"Pengaduan melalui SP4N-LAPOR!, kotak pengaduan di ruang layanan, atau surel ke "
        f"pengaduan@{r.domain}.",
        "en": "Complaints through SP4N-LAPOR!, the complaint box or email.",
        **LAPOR,
        "email": f"pengaduan@{r.domain}",
    }


def _counter(
    office: str, r: Regency, hours: str = "Senin-Kamis 08.00-15.00, Jumat 08.00-11.00 WITA"
) -> dict:
    return {
        "type": "loket",
        "name": {"id": f"Loket {office}", "en": "Service counter"},
        "address": f"Kantor {office} {r.name}, {r.seat}, Gorontalo",
        "hours": {"id": hours},
    }


def dukcapil(r: Regency) -> list[dict]:
    office = "Dinas Kependudukan dan Pencatatan Sipil"
    online = f"https://dukcapil.{r.domain}"
    base = {
        "sectors": ["kependudukan"],
        "audiences": ["masyarakat"],
        "areas": [r.code],
        "cost": {
            "amount": 0,
            "currency": "IDR",
            "description": {"id": "Tidak dipungut biaya (Pasal 79A UU 24/2013)."},
        },
        "complaints": _complaints(r),
        "management": management(office, 6, r.seat),
        "languages": ["id"],
    }
    counter = _counter(office, r)
    web = {
        "type": "online",
        "url": online,
        "name": {"id": "Layanan daring Dukcapil", "en": "Online civil registration"},
    }
    records = [
        {
            "identifier": "akta-kelahiran",
            "name": {"id": "Penerbitan Akta Kelahiran", "en": "Birth Certificate Issuance"},
            "description": {
                "id": f"Pencatatan kelahiran dan penerbitan kutipan akta kelahiran bagi penduduk {r.name}. "
                "Akta kelahiran menjadi dasar identitas anak untuk sekolah, BPJS, dan paspor.",
                "en": f"Registration of a birth and issuance of the birth certificate for residents of {r.name}.",
            },
            "keywords": ["akta lahir", "akte kelahiran", "pencatatan kelahiran"],
            "life_events": ["kelahiran"],
            "requirements": [
                {
                    "id": "Surat keterangan kelahiran dari rumah sakit, puskesmas, bidan, atau kepala desa/lurah",
                    "en": "Birth notice from the hospital, clinic, midwife or village head",
                },
                {"id": "Kartu Keluarga (KK) orang tua"},
                {
                    "id": "Buku nikah atau akta perkawinan orang tua, atau SPTJM kebenaran pasangan suami istri"
                },
                {"id": "Formulir F-2.01 yang telah diisi"},
            ],
            "procedure": [
                {"id": "Pemohon mengisi formulir F-2.01 secara daring atau di loket"},
                {"id": "Petugas memverifikasi dan memvalidasi berkas"},
                {
                    "id": "Pejabat pencatatan sipil mencatat kelahiran dan menandatangani akta secara elektronik"
                },
                {
                    "id": "Akta kelahiran dikirim dalam bentuk PDF ke surel pemohon atau dicetak di loket"
                },
            ],
            "processing_time": "P1D",
            "outputs": [
                {"id": "Kutipan Akta Kelahiran", "en": "Birth certificate"},
                {"id": "Kartu Keluarga yang diperbarui"},
            ],
            "legal_basis": [UU_ADMINDUK, PERPRES_96, PERMENDAGRI_108],
            "channels": [web, counter],
            "integration": {"status": "integrating"},
        },
        {
            "identifier": "akta-kematian",
            "name": {"id": "Penerbitan Akta Kematian", "en": "Death Certificate Issuance"},
            "description": {
                "id": "Pencatatan peristiwa kematian penduduk dan penerbitan kutipan akta kematian, "
                "sekaligus pemutakhiran Kartu Keluarga keluarga yang ditinggalkan.",
                "en": "Registration of a death and issuance of the death certificate.",
            },
            "keywords": ["akte kematian", "surat kematian", "meninggal dunia"],
            "life_events": ["kematian"],
            "requirements": [
                {
                    "id": "Surat keterangan kematian dari rumah sakit, puskesmas, atau kepala desa/lurah"
                },
                {"id": "Kartu Keluarga almarhum/almarhumah"},
                {"id": "KTP-el almarhum/almarhumah (diserahkan)"},
                {"id": "KTP-el pelapor"},
            ],
            "procedure": [
                {"id": "Ahli waris atau pelapor mengisi formulir pelaporan kematian F-2.01"},
                {"id": "Petugas memverifikasi berkas dan data kependudukan"},
                {"id": "Akta kematian diterbitkan dan KK diperbarui"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "Kutipan Akta Kematian", "en": "Death certificate"}],
            "legal_basis": [UU_ADMINDUK, PERPRES_96],
            "channels": [web, counter],
            "integration": {"status": "assessed"},
        },
        {
            "identifier": "kartu-keluarga",
            "name": {"id": "Penerbitan Kartu Keluarga", "en": "Family Card Issuance"},
            "description": {
                "id": "Penerbitan Kartu Keluarga (KK) baru karena membentuk keluarga baru, perubahan "
                "data, penambahan anggota keluarga, atau KK hilang/rusak.",
                "en": "Issuance of a new or updated Family Card (Kartu Keluarga).",
            },
            "keywords": ["KK", "kartu keluarga", "pecah KK", "tambah anggota keluarga"],
            "life_events": ["pernikahan", "kelahiran", "kehilangan-dokumen"],
            "requirements": [
                {"id": "Buku nikah atau akta perkawinan (untuk keluarga baru)"},
                {"id": "KK lama"},
                {"id": "Surat keterangan kehilangan dari kepolisian bila KK hilang"},
                {"id": "Formulir F-1.02 (biodata keluarga)"},
            ],
            "procedure": [
                {"id": "Pemohon mengajukan permohonan secara daring atau di loket"},
                {"id": "Petugas memverifikasi data dengan basis data kependudukan"},
                {"id": "KK ditandatangani secara elektronik dan dicetak atau dikirim sebagai PDF"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "Kartu Keluarga", "en": "Family Card"}],
            "legal_basis": [UU_ADMINDUK, PERPRES_96],
            "channels": [web, counter],
            "integration": {"status": "integrating"},
        },
        {
            "identifier": "ktp-el",
            "name": {
                "id": "Perekaman dan Pencetakan KTP-el",
                "en": "Electronic ID Card (KTP-el) Enrolment and Printing",
            },
            "description": {
                "id": "Perekaman data biometrik (sidik jari, iris, foto, tanda tangan) dan pencetakan "
                "Kartu Tanda Penduduk elektronik bagi penduduk yang berusia 17 tahun atau sudah menikah.",
                "en": "Biometric enrolment and printing of the electronic identity card for residents aged 17 or married.",
            },
            "keywords": ["KTP", "e-KTP", "KTP elektronik", "rekam KTP", "cetak KTP"],
            "life_events": ["kehilangan-dokumen"],
            "requirements": [
                {"id": "Telah berusia 17 tahun, sudah kawin, atau pernah kawin"},
                {"id": "Fotokopi Kartu Keluarga"},
                {"id": "Surat keterangan kehilangan dari kepolisian bila KTP-el hilang"},
                {"id": "KTP-el lama bila rusak atau ada perubahan data"},
            ],
            "procedure": [
                {"id": "Pemohon datang ke loket perekaman dengan membawa KK"},
                {"id": "Petugas merekam foto, sidik jari, iris mata, dan tanda tangan"},
                {"id": "Data diverifikasi oleh pusat (deduplikasi biometrik)"},
                {"id": "KTP-el dicetak dan diserahkan kepada pemohon"},
            ],
            "processing_time": "P14D",
            "outputs": [{"id": "KTP elektronik", "en": "Electronic identity card"}],
            "legal_basis": [UU_ADMINDUK, PERPRES_96],
            "channels": [counter],
            "integration": {"status": "inventoried"},
        },
        {
            "identifier": "pindah-datang",
            "name": {
                "id": "Surat Keterangan Pindah dan Pindah Datang",
                "en": "Change of Residence (Moving Out and In)",
            },
            "description": {
                "id": "Penerbitan Surat Keterangan Pindah Warga Negara Indonesia (SKPWNI) bagi penduduk "
                "yang pindah domisili ke luar atau ke dalam " + r.name + ".",
                "en": "Certificate for residents moving their registered domicile in or out of the regency.",
            },
            "keywords": ["surat pindah", "SKPWNI", "pindah domisili", "mutasi penduduk"],
            "life_events": ["pindah-domisili"],
            "requirements": [
                {"id": "Kartu Keluarga"},
                {"id": "KTP-el"},
                {"id": "Formulir F-1.03 (pendaftaran perpindahan penduduk)"},
            ],
            "procedure": [
                {
                    "id": "Pemohon mengajukan permohonan pindah secara daring atau di loket daerah asal"
                },
                {"id": "Petugas menerbitkan SKPWNI"},
                {"id": "Daerah tujuan menerbitkan KK dan KTP-el baru dengan alamat baru"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "SKPWNI"}, {"id": "KK dan KTP-el dengan alamat baru"}],
            "legal_basis": [UU_ADMINDUK, PERPRES_96, PERMENDAGRI_108],
            "channels": [web, counter],
            "integration": {"status": "integrating"},
        },
        {
            "identifier": "kartu-identitas-anak",
            "name": {
                "id": "Penerbitan Kartu Identitas Anak (KIA)",
                "en": "Child Identity Card Issuance",
            },
            "description": {
                "id": "Penerbitan Kartu Identitas Anak bagi anak berusia di bawah 17 tahun yang belum menikah.",
                "en": "Identity card for children under 17.",
            },
            "keywords": ["KIA", "kartu anak"],
            "life_events": ["kelahiran", "bersekolah"],
            "requirements": [
                {"id": "Kutipan akta kelahiran anak"},
                {"id": "Kartu Keluarga orang tua"},
                {"id": "Pas foto anak berwarna ukuran 2x3 untuk anak berusia 5 tahun ke atas"},
            ],
            "procedure": [
                {"id": "Orang tua mengajukan permohonan di loket atau melalui sekolah"},
                {"id": "Petugas memverifikasi data dan mencetak KIA"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "Kartu Identitas Anak", "en": "Child identity card"}],
            "legal_basis": [UU_ADMINDUK],
            "channels": [counter],
            "integration": {"status": "inventoried"},
        },
        {
            "identifier": "akta-perkawinan",
            "name": {
                "id": "Pencatatan Perkawinan dan Penerbitan Akta Perkawinan (non-Muslim)",
                "en": "Marriage Registration for Non-Muslims",
            },
            "description": {
                "id": "Pencatatan perkawinan bagi penduduk beragama selain Islam dan penghayat "
                "kepercayaan, setelah perkawinan dilangsungkan menurut agamanya.",
                "en": "Civil registration of marriages of non-Muslim citizens.",
            },
            "keywords": ["akta nikah", "akte perkawinan", "catatan sipil nikah"],
            "life_events": ["pernikahan"],
            "requirements": [
                {"id": "Surat keterangan perkawinan dari pemuka agama atau penghayat kepercayaan"},
                {"id": "Pas foto berdampingan ukuran 4x6"},
                {"id": "KTP-el dan KK kedua mempelai"},
                {"id": "Akta kelahiran kedua mempelai"},
                {"id": "Dua orang saksi dengan KTP-el"},
            ],
            "procedure": [
                {"id": "Pasangan melaporkan perkawinan paling lambat 60 hari setelah pemberkatan"},
                {"id": "Petugas memverifikasi berkas dan mencatat perkawinan"},
                {"id": "Kutipan akta perkawinan diserahkan bersama KK baru"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "Kutipan Akta Perkawinan", "en": "Marriage certificate"}],
            "legal_basis": [UU_ADMINDUK, PERPRES_96],
            "channels": [counter],
            "integration": {"status": "inventoried"},
        },
        {
            "identifier": "akta-perceraian",
            "name": {
                "id": "Pencatatan Perceraian (non-Muslim)",
                "en": "Divorce Registration for Non-Muslims",
            },
            "description": {
                "id": "Pencatatan perceraian berdasarkan putusan pengadilan negeri yang telah berkekuatan hukum tetap.",
                "en": "Registration of a divorce decided by a district court.",
            },
            "keywords": ["akta cerai", "perceraian"],
            "life_events": ["perceraian"],
            "requirements": [
                {"id": "Salinan putusan pengadilan yang berkekuatan hukum tetap"},
                {"id": "Kutipan akta perkawinan"},
                {"id": "KK dan KTP-el"},
            ],
            "procedure": [
                {
                    "id": "Pemohon melapor paling lambat 60 hari setelah putusan berkekuatan hukum tetap"
                },
                {"id": "Petugas mencatat perceraian dan menerbitkan akta"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "Kutipan Akta Perceraian", "en": "Divorce certificate"}],
            "legal_basis": [UU_ADMINDUK],
            "channels": [counter],
            "integration": {"status": "inventoried"},
        },
    ]
    return [{**base, **rec} for rec in records]


def dinkes(r: Regency) -> list[dict]:
    office = "Dinas Kesehatan"
    counter = _counter(office, r)
    base = {
        "sectors": ["kesehatan"],
        "areas": [r.code],
        "complaints": _complaints(r),
        "management": management(office, 4, r.seat),
        "languages": ["id"],
        "integration": {"status": "inventoried"},
    }
    records = [
        {
            "identifier": "surat-izin-praktik-dokter",
            "name": {
                "id": "Surat Izin Praktik (SIP) Dokter dan Dokter Gigi",
                "en": "Practice Licence for Doctors and Dentists",
            },
            "description": {
                "id": f"Izin bagi dokter dan dokter gigi untuk menjalankan praktik kedokteran di {r.name}.",
                "en": "Licence for doctors and dentists to practise in the regency.",
            },
            "keywords": ["SIP", "izin praktik", "dokter"],
            "audiences": ["tenaga-kesehatan"],
            "sectors": ["kesehatan", "perizinan"],
            "requirements": [
                {"id": "Surat Tanda Registrasi (STR) yang masih berlaku"},
                {"id": "Surat keterangan dari fasilitas pelayanan kesehatan tempat praktik"},
                {"id": "Rekomendasi organisasi profesi (IDI/PDGI)"},
                {"id": "Pas foto 4x6"},
            ],
            "procedure": [
                {"id": "Pemohon mengajukan permohonan melalui aplikasi perizinan"},
                {"id": "Verifikasi berkas dan peninjauan tempat praktik"},
                {"id": "Penerbitan SIP secara elektronik"},
            ],
            "processing_time": "P14D",
            "cost": {"amount": 0},
            "outputs": [{"id": "Surat Izin Praktik", "en": "Practice licence"}],
            "legal_basis": [UU_KESEHATAN],
            "channels": [
                {
                    "type": "online",
                    "url": f"https://sicantik.go.id/{r.slug}",
                    "name": {"id": "SiCantik Cloud"},
                },
                counter,
            ],
        },
        {
            "identifier": "surat-keterangan-sehat",
            "name": {"id": "Surat Keterangan Sehat", "en": "Health Certificate"},
            "description": {
                "id": "Pemeriksaan kesehatan umum dan penerbitan surat keterangan sehat untuk keperluan "
                "melamar kerja, sekolah, atau pendaftaran CPNS, di puskesmas.",
                "en": "General check-up and health certificate issued at community health centres.",
            },
            "keywords": ["surat sehat", "keterangan sehat", "puskesmas"],
            "audiences": ["masyarakat", "pencari-kerja", "pelajar"],
            "life_events": ["mencari-kerja", "bersekolah"],
            "requirements": [
                {"id": "KTP-el atau kartu pelajar"},
                {"id": "Membayar retribusi sesuai Perda"},
            ],
            "procedure": [
                {"id": "Pemohon mendaftar di loket puskesmas"},
                {"id": "Pemeriksaan fisik oleh dokter"},
                {"id": "Surat keterangan sehat ditandatangani dokter"},
            ],
            "processing_time": "PT2H",
            "cost": {
                "amount": 25000,
                "description": {"id": "Retribusi pelayanan kesehatan sesuai Perda"},
            },
            "outputs": [{"id": "Surat Keterangan Sehat"}],
            "legal_basis": [UU_KESEHATAN],
            "channels": [
                {
                    "type": "loket",
                    "name": {"id": "Loket pendaftaran puskesmas"},
                    "address": f"Puskesmas di seluruh wilayah {r.name}",
                }
            ],
        },
        {
            "identifier": "imunisasi-dasar",
            "name": {"id": "Imunisasi Dasar Lengkap Bayi", "en": "Routine Infant Immunisation"},
            "description": {
                "id": "Pemberian imunisasi dasar lengkap gratis bagi bayi di puskesmas dan posyandu.",
                "en": "Free routine immunisation for infants at health centres and posyandu.",
            },
            "keywords": ["imunisasi", "vaksin bayi", "posyandu"],
            "audiences": ["masyarakat"],
            "life_events": ["kelahiran"],
            "requirements": [{"id": "Buku Kesehatan Ibu dan Anak (KIA)"}],
            "procedure": [
                {"id": "Orang tua membawa bayi ke posyandu atau puskesmas sesuai jadwal"},
                {"id": "Petugas memeriksa dan memberikan vaksin"},
                {"id": "Pencatatan di buku KIA"},
            ],
            "processing_time": "PT1H",
            "cost": {"amount": 0},
            "outputs": [{"id": "Catatan imunisasi di buku KIA"}],
            "legal_basis": [UU_KESEHATAN],
            "channels": [
                {
                    "type": "loket",
                    "name": {"id": "Puskesmas dan posyandu"},
                    "address": f"Seluruh puskesmas {r.name}",
                }
            ],
        },
        {
            "identifier": "izin-apotek",
            "name": {"id": "Izin Apotek", "en": "Pharmacy Licence"},
            "description": {
                "id": "Perizinan penyelenggaraan apotek oleh apoteker.",
                "en": "Licence to operate a pharmacy.",
            },
            "keywords": ["apotek", "SIA", "farmasi"],
            "audiences": ["pelaku-usaha", "tenaga-kesehatan"],
            "sectors": ["kesehatan", "perizinan"],
            "life_events": ["memulai-usaha"],
            "requirements": [
                {"id": "NIB melalui OSS"},
                {"id": "STR dan SIPA apoteker penanggung jawab"},
                {"id": "Denah bangunan dan daftar sarana"},
            ],
            "procedure": [
                {"id": "Permohonan melalui OSS"},
                {"id": "Pemeriksaan setempat oleh tim Dinas Kesehatan"},
                {"id": "Penerbitan izin"},
            ],
            "processing_time": "P14D",
            "cost": {"amount": 0},
            "outputs": [{"id": "Surat Izin Apotek"}],
            "legal_basis": [UU_KESEHATAN, PP_OSS],
            "channels": [
                {"type": "online", "url": "https://oss.go.id", "name": {"id": "OSS RBA"}},
                counter,
            ],
        },
    ]
    return [{**base, **rec} for rec in records]


def disdik(r: Regency) -> list[dict]:
    office = "Dinas Pendidikan"
    counter = _counter(office, r)
    base = {
        "sectors": ["pendidikan"],
        "areas": [r.code],
        "complaints": _complaints(r),
        "management": management(office, 5, r.seat),
        "languages": ["id"],
        "integration": {"status": "inventoried"},
        "cost": {"amount": 0},
    }
    records = [
        {
            "identifier": "spmb-sd-smp",
            "name": {
                "id": "Sistem Penerimaan Murid Baru (SPMB) SD dan SMP",
                "en": "New Student Admission for Primary and Junior Secondary Schools",
            },
            "description": {
                "id": f"Pendaftaran murid baru SD dan SMP negeri di {r.name} melalui jalur domisili, "
                "afirmasi, prestasi, dan mutasi (dahulu PPDB).",
                "en": "Admission of new students to public primary and junior secondary schools (formerly PPDB).",
            },
            "keywords": ["PPDB", "SPMB", "daftar sekolah", "zonasi"],
            "audiences": ["pelajar", "masyarakat"],
            "life_events": ["bersekolah"],
            "requirements": [
                {"id": "Akta kelahiran atau surat keterangan lahir"},
                {"id": "Kartu Keluarga paling singkat 1 tahun"},
                {"id": "Ijazah atau surat keterangan lulus (untuk SMP)"},
                {"id": "Bukti kepesertaan program bantuan (jalur afirmasi)"},
            ],
            "procedure": [
                {"id": "Calon murid mendaftar di laman SPMB dan memilih jalur"},
                {"id": "Verifikasi berkas oleh sekolah"},
                {"id": "Pengumuman hasil seleksi"},
                {"id": "Daftar ulang di sekolah"},
            ],
            "processing_time": "P30D",
            "outputs": [{"id": "Pengumuman penerimaan dan nomor induk murid"}],
            "legal_basis": [
                UU_SISDIKNAS,
                {
                    "title": "Peraturan Menteri Pendidikan Dasar dan Menengah Nomor 3 Tahun 2025 tentang Sistem Penerimaan Murid Baru",
                    "identifier": "Permendikdasmen 3/2025",
                },
            ],
            "channels": [
                {"type": "online", "url": f"https://spmb.{r.domain}", "name": {"id": "Laman SPMB"}},
                counter,
            ],
        },
        {
            "identifier": "legalisir-ijazah",
            "name": {
                "id": "Legalisasi Fotokopi Ijazah SD dan SMP",
                "en": "Certified Copies of School Diplomas",
            },
            "description": {
                "id": "Pengesahan fotokopi ijazah atau STTB SD dan SMP yang sekolahnya sudah ditutup atau digabung.",
                "en": "Certification of diploma copies from closed or merged schools.",
            },
            "keywords": ["legalisir", "ijazah", "STTB"],
            "audiences": ["masyarakat", "pencari-kerja"],
            "life_events": ["mencari-kerja"],
            "requirements": [{"id": "Ijazah asli"}, {"id": "Fotokopi ijazah"}],
            "procedure": [
                {"id": "Pemohon menyerahkan ijazah asli dan fotokopi di loket"},
                {"id": "Petugas mencocokkan dan pejabat menandatangani legalisasi"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "Fotokopi ijazah yang dilegalisasi"}],
            "legal_basis": [UU_SISDIKNAS],
            "channels": [counter],
        },
        {
            "identifier": "surat-keterangan-pengganti-ijazah",
            "name": {
                "id": "Surat Keterangan Pengganti Ijazah yang Hilang atau Rusak",
                "en": "Replacement Statement for a Lost Diploma",
            },
            "description": {
                "id": "Penerbitan surat keterangan yang berpenghargaan sama dengan ijazah bagi lulusan "
                "yang ijazahnya hilang atau rusak.",
                "en": "Statement equivalent to a lost or damaged diploma.",
            },
            "keywords": ["ijazah hilang", "pengganti ijazah"],
            "audiences": ["masyarakat", "pencari-kerja"],
            "life_events": ["kehilangan-dokumen"],
            "requirements": [
                {"id": "Surat keterangan kehilangan dari kepolisian"},
                {"id": "Surat pernyataan dua saksi teman seangkatan"},
                {"id": "Fotokopi KTP-el"},
            ],
            "procedure": [
                {"id": "Permohonan diajukan melalui sekolah asal"},
                {"id": "Verifikasi buku induk"},
                {"id": "Penerbitan surat keterangan"},
            ],
            "processing_time": "P7D",
            "outputs": [{"id": "Surat Keterangan Pengganti Ijazah"}],
            "legal_basis": [UU_SISDIKNAS],
            "channels": [counter],
        },
    ]
    return [{**base, **rec} for rec in records]


def dinsos(r: Regency) -> list[dict]:
    office = "Dinas Sosial"
    counter = _counter(office, r)
    base = {
        "sectors": ["sosial"],
        "areas": [r.code],
        "complaints": _complaints(r),
        "management": management(office, 5, r.seat),
        "languages": ["id"],
        "cost": {"amount": 0},
        "integration": {"status": "assessed"},
    }
    records = [
        {
            "identifier": "pendaftaran-dtsen",
            "name": {
                "id": "Usulan Pendaftaran Data Tunggal Sosial dan Ekonomi Nasional (DTSEN)",
                "en": "Registration in the National Socio-Economic Single Database",
            },
            "description": {
                "id": "Pengusulan keluarga miskin dan rentan agar tercatat dalam DTSEN (pengganti DTKS) "
                "sebagai dasar penerima bantuan sosial.",
                "en": "Proposal of poor households for the national social registry used to target aid.",
            },
            "keywords": ["DTKS", "DTSEN", "bansos", "data miskin"],
            "audiences": ["masyarakat"],
            "life_events": ["kehilangan-pekerjaan"],
            "requirements": [
                {"id": "KTP-el dan Kartu Keluarga"},
                {"id": "Surat keterangan dari desa/kelurahan"},
            ],
            "procedure": [
                {"id": "Warga mendaftar melalui desa/kelurahan atau aplikasi Cek Bansos"},
                {"id": "Musyawarah desa/kelurahan memverifikasi usulan"},
                {"id": "Dinas Sosial memvalidasi dan mengirim ke Kementerian Sosial"},
            ],
            "processing_time": "P30D",
            "outputs": [{"id": "Status terdaftar di DTSEN"}],
            "legal_basis": [UU_FAKIR_MISKIN],
            "channels": [
                {
                    "type": "aplikasi-mobile",
                    "url": "https://cekbansos.kemensos.go.id",
                    "name": {"id": "Aplikasi Cek Bansos"},
                },
                counter,
            ],
        },
        {
            "identifier": "surat-keterangan-tidak-mampu",
            "name": {
                "id": "Rekomendasi Keringanan Biaya Bagi Warga Tidak Mampu (SKTM)",
                "en": "Low-Income Certificate Recommendation",
            },
            "description": {
                "id": "Rekomendasi bagi warga tidak mampu untuk keringanan biaya pengobatan, pendidikan, atau "
                "bantuan hukum.",
                "en": "Recommendation letter for fee waivers for low-income residents.",
            },
            "keywords": ["SKTM", "tidak mampu", "keringanan biaya"],
            "audiences": ["masyarakat"],
            "life_events": ["sakit", "bersekolah"],
            "requirements": [
                {"id": "Surat keterangan tidak mampu dari desa/kelurahan"},
                {"id": "KTP-el dan KK"},
            ],
            "procedure": [
                {"id": "Pemohon menyerahkan berkas di loket"},
                {"id": "Petugas memeriksa status di DTSEN"},
                {"id": "Penerbitan surat rekomendasi"},
            ],
            "processing_time": "P1D",
            "outputs": [{"id": "Surat rekomendasi Dinas Sosial"}],
            "legal_basis": [UU_KESOS],
            "channels": [counter],
        },
        {
            "identifier": "rehabilitasi-sosial-disabilitas",
            "name": {
                "id": "Layanan Rehabilitasi Sosial Penyandang Disabilitas",
                "en": "Social Rehabilitation for People with Disabilities",
            },
            "description": {
                "id": "Asistensi, alat bantu, dan rujukan rehabilitasi sosial bagi penyandang disabilitas terlantar.",
                "en": "Assistance, assistive devices and referrals for people with disabilities.",
            },
            "keywords": ["disabilitas", "kursi roda", "alat bantu"],
            "audiences": ["penyandang-disabilitas"],
            "requirements": [
                {"id": "KTP-el dan KK"},
                {"id": "Surat keterangan dokter tentang jenis disabilitas"},
            ],
            "procedure": [
                {"id": "Pengajuan melalui pendamping atau langsung di loket"},
                {"id": "Asesmen oleh pekerja sosial"},
                {"id": "Pemberian layanan atau rujukan"},
            ],
            "processing_time": "P14D",
            "outputs": [{"id": "Layanan rehabilitasi atau alat bantu"}],
            "legal_basis": [UU_KESOS],
            "channels": [counter],
        },
    ]
    return [{**base, **rec} for rec in records]


def dpmptsp(r: Regency) -> list[dict]:
    office = "DPMPTSP"
    counter = _counter(office, r)
    base = {
        "sectors": ["perizinan"],
        "areas": [r.code],
        "complaints": _complaints(r),
        "management": management(office, 8, r.seat),
        "languages": ["id"],
        "audiences": ["pelaku-usaha", "masyarakat"],
    }
    records = [
        {
            "identifier": "persetujuan-bangunan-gedung",
            "name": {
                "id": "Persetujuan Bangunan Gedung (PBG)",
                "en": "Building Approval (formerly IMB)",
            },
            "description": {
                "id": "Persetujuan untuk membangun, mengubah, atau merawat bangunan gedung sesuai standar "
                "teknis, pengganti Izin Mendirikan Bangunan (IMB).",
                "en": "Approval to construct or alter a building, replacing the former building permit (IMB).",
            },
            "keywords": ["PBG", "IMB", "izin bangunan", "SIMBG"],
            "sectors": ["perizinan", "pertanahan"],
            "life_events": ["membeli-properti", "memulai-usaha"],
            "requirements": [
                {"id": "Data pemohon dan bukti kepemilikan tanah"},
                {"id": "Gambar rencana arsitektur, struktur, dan utilitas"},
                {"id": "Kesesuaian Kegiatan Pemanfaatan Ruang (KKPR)"},
            ],
            "procedure": [
                {"id": "Pendaftaran melalui SIMBG"},
                {"id": "Konsultasi dengan Tim Profesi Ahli"},
                {"id": "Penghitungan dan pembayaran retribusi PBG"},
                {"id": "Penerbitan PBG"},
            ],
            "processing_time": "P28D",
            "cost": {
                "amount": 0,
                "description": {
                    "id": "Retribusi PBG dihitung menurut luas dan fungsi bangunan sesuai Perda"
                },
            },
            "outputs": [{"id": "Dokumen PBG"}],
            "legal_basis": [PP_BANGUNAN],
            "channels": [
                {"type": "online", "url": "https://simbg.pu.go.id", "name": {"id": "SIMBG"}},
                counter,
            ],
            "integration": {"status": "integrated", "splp_api": "simbg-pbg"},
        },
        {
            "identifier": "nomor-induk-berusaha",
            "name": {
                "id": "Pendampingan Penerbitan Nomor Induk Berusaha (NIB) bagi UMK",
                "en": "Business Identification Number (NIB) Assistance",
            },
            "description": {
                "id": "Pendampingan pelaku usaha mikro dan kecil untuk memperoleh NIB melalui OSS.",
                "en": "Help for micro and small businesses to obtain their NIB through OSS.",
            },
            "keywords": ["NIB", "OSS", "izin usaha", "UMKM"],
            "sectors": ["perizinan", "perdagangan"],
            "life_events": ["memulai-usaha"],
            "requirements": [
                {"id": "KTP-el dan NPWP pemilik"},
                {"id": "Alamat surel dan nomor telepon aktif"},
            ],
            "procedure": [
                {"id": "Pelaku usaha datang ke Mal Pelayanan Publik"},
                {"id": "Petugas membantu pendaftaran akun OSS"},
                {"id": "NIB terbit dan dicetak"},
            ],
            "processing_time": "PT1H",
            "cost": {"amount": 0},
            "outputs": [{"id": "Nomor Induk Berusaha (NIB)"}],
            "legal_basis": [PP_OSS],
            "channels": [
                {"type": "online", "url": "https://oss.go.id", "name": {"id": "OSS RBA"}},
                counter,
            ],
            "integration": {"status": "integrated", "splp_api": "oss-nib"},
        },
    ]
    return [{**base, **rec} for rec in records]


def bkpsdm(r: Regency) -> list[dict]:
    office = "BKPSDM"
    return [
        {
            "identifier": "kenaikan-pangkat-pns",
            "name": {
                "id": "Usulan Kenaikan Pangkat PNS Daerah",
                "en": "Promotion of Regional Civil Servants",
            },
            "description": {
                "id": f"Pengusulan kenaikan pangkat reguler dan pilihan bagi PNS di lingkungan {r.name} "
                "melalui SIASN BKN pada periode April dan Oktober.",
                "en": "Regular and merit promotions of the regency's civil servants through SIASN.",
            },
            "keywords": ["KP", "kenaikan pangkat", "SIASN"],
            "sectors": ["kepegawaian"],
            "audiences": ["asn"],
            "areas": [r.code],
            "languages": ["id"],
            "complaints": _complaints(r),
            "management": management(office, 4, r.seat),
            "requirements": [
                {"id": "SK pangkat terakhir"},
                {"id": "Penilaian kinerja dua tahun terakhir"},
                {"id": "SK jabatan bagi kenaikan pangkat pilihan"},
            ],
            "procedure": [
                {"id": "Perangkat daerah mengusulkan melalui SIASN"},
                {"id": "BKPSDM memverifikasi usulan"},
                {"id": "Kantor Regional BKN menetapkan pertimbangan teknis"},
                {"id": "SK kenaikan pangkat terbit secara elektronik"},
            ],
            "processing_time": "P3M",
            "cost": {"amount": 0},
            "outputs": [{"id": "SK Kenaikan Pangkat"}],
            "legal_basis": [UU_ASN, PP_MANAJEMEN_PNS],
            "channels": [
                {
                    "type": "online",
                    "url": "https://siasn-instansi.bkn.go.id",
                    "name": {"id": "SIASN"},
                },
                _counter(office, r),
            ],
            "integration": {"status": "integrated", "splp_api": "siasn-kp"},
        }
    ]


TEMPLATES = {
    "disdukcapil": dukcapil,
    "dinkes": dinkes,
    "disdik": disdik,
    "dinsos": dinsos,
    "dpmptsp": dpmptsp,
    "bkpsdm": bkpsdm,
}
