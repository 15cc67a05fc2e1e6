"""Central, provincial, district and village services of the demo federation."""

from __future__ import annotations

from simpul.demo.regional import (
    LAPOR,
    PERPRES_96,
    PP_MANAJEMEN_PNS,
    UU_ADMINDUK,
    UU_ASN,
    UU_FAKIR_MISKIN,
    UU_KESEHATAN,
    UU_KESOS,
    UU_PELAYANAN_PUBLIK,
    UU_SISDIKNAS,
    management,
)

PNBP_POLRI = {
    "title": "Peraturan Pemerintah Nomor 76 Tahun 2020 tentang Jenis dan Tarif atas Jenis "
    "Penerimaan Negara Bukan Pajak yang Berlaku pada Kepolisian Negara Republik Indonesia",
    "identifier": "PP 76/2020",
}
PERPOL_SIM = {
    "title": "Peraturan Kepolisian Negara Republik Indonesia Nomor 5 Tahun 2021 tentang Penerbitan dan "
    "Penandaan Surat Izin Mengemudi",
    "identifier": "Perpol 5/2021",
}
PERKAP_SKCK = {
    "title": "Peraturan Kapolri Nomor 18 Tahun 2014 tentang Tata Cara Penerbitan Surat Keterangan "
    "Catatan Kepolisian",
    "identifier": "Perkap 18/2014",
}
UU_BPJS = {
    "title": "Undang-Undang Nomor 24 Tahun 2011 tentang Badan Penyelenggara Jaminan Sosial",
    "identifier": "UU 24/2011",
}
PERPRES_JKN = {
    "title": "Peraturan Presiden Nomor 82 Tahun 2018 tentang Jaminan Kesehatan",
    "identifier": "Perpres 82/2018",
}
UU_DESA = {"title": "Undang-Undang Nomor 6 Tahun 2014 tentang Desa", "identifier": "UU 6/2014"}
PERMENDAGRI_SPM_DESA = {
    "title": "Peraturan Menteri Dalam Negeri Nomor 2 Tahun 2017 tentang Standar Pelayanan "
    "Minimal Desa",
    "identifier": "Permendagri 2/2017",
}
PP_KECAMATAN = {
    "title": "Peraturan Pemerintah Nomor 17 Tahun 2018 tentang Kecamatan",
    "identifier": "PP 17/2018",
}
PATEN = {
    "title": "Peraturan Menteri Dalam Negeri Nomor 4 Tahun 2010 tentang Pedoman Pelayanan Administrasi "
    "Terpadu Kecamatan",
    "identifier": "Permendagri 4/2010",
}


def _central(
    authority: str, office: str, staff: int, email_domain: str, records: list[dict], **extra
) -> list[dict]:
    base = {
        "authority": authority,
        "areas": ["00"],
        "languages": ["id", "en"],
        "complaints": {
            "id": f"Pengaduan melalui SP4N-LAPOR! atau surel ke pengaduan@{email_domain}.",
            "en": "Complaints through SP4N-LAPOR! or email.",
            **LAPOR,
            "email": f"pengaduan@{email_domain}",
        },
        "management": management(office, staff, "Jakarta"),
        **extra,
    }
    return [{**base, **r} for r in records]


def polri() -> list[dict]:
    presisi = {
        "type": "aplikasi-mobile",
        "url": "https://presisi.polri.go.id",
        "name": {"id": "Aplikasi POLRI Super App"},
    }
    satpas = {
        "type": "loket",
        "name": {"id": "Satpas SIM Polres", "en": "Driving licence office"},
        "address": "Satuan Penyelenggara Administrasi SIM di setiap Polres",
    }
    return _central(
        "polri",
        "Kepolisian",
        12,
        "polri.go.id",
        [
            {
                "identifier": "skck",
                "name": {
                    "id": "Penerbitan Surat Keterangan Catatan Kepolisian (SKCK)",
                    "en": "Police Clearance Certificate",
                },
                "description": {
                    "id": "Surat keterangan yang memuat catatan kriminal seseorang, diperlukan untuk melamar kerja, "
                    "mendaftar CPNS, atau mengurus visa.",
                    "en": "Certificate of a person's criminal record, needed for jobs, civil service entry or visas.",
                },
                "keywords": ["SKCK", "surat kelakuan baik", "catatan kepolisian"],
                "sectors": ["kepolisian"],
                "audiences": ["masyarakat", "pencari-kerja"],
                "life_events": ["mencari-kerja", "bepergian-ke-luar-negeri"],
                "requirements": [
                    {"id": "Fotokopi KTP-el"},
                    {"id": "Fotokopi Kartu Keluarga"},
                    {"id": "Fotokopi akta kelahiran"},
                    {"id": "Pas foto berwarna 4x6 latar merah sebanyak 6 lembar"},
                    {"id": "Sidik jari dari Polres"},
                ],
                "procedure": [
                    {
                        "id": "Pemohon mendaftar secara daring melalui aplikasi atau datang ke Polsek/Polres"
                    },
                    {"id": "Pengambilan sidik jari dan verifikasi identitas"},
                    {"id": "Pembayaran PNBP"},
                    {"id": "SKCK dicetak dan diserahkan"},
                ],
                "processing_time": "P1D",
                "cost": {"amount": 30000, "description": {"id": "PNBP penerbitan SKCK"}},
                "outputs": [{"id": "SKCK", "en": "Police clearance certificate"}],
                "legal_basis": [PERKAP_SKCK, PNBP_POLRI],
                "channels": [
                    presisi,
                    {
                        "type": "loket",
                        "name": {"id": "Loket SKCK Polsek dan Polres"},
                        "address": "Setiap Polsek dan Polres",
                    },
                ],
                "integration": {"status": "integrating"},
            },
            {
                "identifier": "sim-baru",
                "name": {
                    "id": "Penerbitan SIM Baru (A dan C)",
                    "en": "New Driving Licence (A and C)",
                },
                "description": {
                    "id": "Penerbitan Surat Izin Mengemudi baru golongan A (mobil) dan C (sepeda motor) setelah lulus ujian teori dan praktik.",
                    "en": "First driving licence for cars (A) or motorcycles (C) after passing the tests.",
                },
                "keywords": ["SIM", "SIM A", "SIM C", "bikin SIM", "ujian SIM"],
                "sectors": ["kepolisian", "perhubungan"],
                "audiences": ["masyarakat"],
                "requirements": [
                    {"id": "KTP-el asli"},
                    {"id": "Surat keterangan sehat jasmani dari dokter"},
                    {"id": "Surat keterangan lulus tes psikologi"},
                    {"id": "Usia minimal 17 tahun"},
                ],
                "procedure": [
                    {"id": "Pendaftaran di Satpas atau daring"},
                    {"id": "Ujian teori"},
                    {"id": "Ujian praktik"},
                    {"id": "Pembayaran PNBP dan pengambilan foto"},
                    {"id": "Pencetakan SIM"},
                ],
                "processing_time": "P1D",
                "cost": {
                    "amount": 120000,
                    "description": {"id": "PNBP SIM A Rp120.000; SIM C Rp100.000"},
                },
                "outputs": [{"id": "Surat Izin Mengemudi", "en": "Driving licence"}],
                "legal_basis": [PERPOL_SIM, PNBP_POLRI],
                "channels": [satpas],
                "integration": {"status": "assessed"},
            },
            {
                "identifier": "perpanjangan-sim",
                "name": {"id": "Perpanjangan SIM", "en": "Driving Licence Renewal"},
                "description": {
                    "id": "Perpanjangan masa berlaku SIM sebelum habis, secara daring melalui SINAR atau di Satpas dan SIM keliling.",
                    "en": "Renewal of a driving licence online (SINAR), at the licence office or a mobile unit.",
                },
                "keywords": ["perpanjang SIM", "SINAR", "SIM keliling"],
                "sectors": ["kepolisian", "perhubungan"],
                "audiences": ["masyarakat"],
                "requirements": [
                    {"id": "KTP-el"},
                    {"id": "SIM lama yang masih berlaku"},
                    {"id": "Surat keterangan sehat dan lulus tes psikologi"},
                ],
                "procedure": [
                    {"id": "Pengajuan daring melalui aplikasi atau datang ke Satpas"},
                    {"id": "Verifikasi data"},
                    {"id": "Pembayaran PNBP"},
                    {"id": "SIM dicetak atau dikirim"},
                ],
                "processing_time": "PT2H",
                "cost": {
                    "amount": 80000,
                    "description": {"id": "PNBP perpanjangan SIM A Rp80.000; SIM C Rp75.000"},
                },
                "outputs": [{"id": "SIM dengan masa berlaku baru"}],
                "legal_basis": [PERPOL_SIM, PNBP_POLRI],
                "channels": [presisi, satpas],
                "integration": {"status": "integrating"},
            },
            {
                "identifier": "surat-keterangan-kehilangan",
                "name": {
                    "id": "Surat Keterangan Tanda Lapor Kehilangan",
                    "en": "Police Report of Lost Items",
                },
                "description": {
                    "id": "Surat keterangan kehilangan barang atau dokumen, dipakai untuk mengurus dokumen pengganti (KTP-el, ijazah, buku tabungan).",
                    "en": "Police certificate of loss, used to replace lost documents.",
                },
                "keywords": ["surat kehilangan", "laporan kehilangan", "KTP hilang"],
                "sectors": ["kepolisian"],
                "audiences": ["masyarakat"],
                "life_events": ["kehilangan-dokumen"],
                "requirements": [
                    {"id": "KTP-el atau identitas lain"},
                    {"id": "Keterangan barang atau dokumen yang hilang"},
                ],
                "procedure": [
                    {"id": "Pelapor datang ke SPKT Polsek/Polres atau melapor daring"},
                    {"id": "Petugas mencatat laporan"},
                    {"id": "Surat keterangan diterbitkan"},
                ],
                "processing_time": "PT1H",
                "cost": {"amount": 0},
                "outputs": [{"id": "Surat Tanda Penerimaan Laporan Kehilangan"}],
                "legal_basis": [UU_PELAYANAN_PUBLIK],
                "channels": [
                    presisi,
                    {"type": "telepon", "phone": "110", "name": {"id": "Layanan darurat 110"}},
                ],
                "integration": {"status": "inventoried"},
            },
        ],
    )


def central() -> list[dict]:
    dukcapil_api = {
        "type": "api",
        "url": "https://splp.layanan.go.id/dukcapil/verifikasi/v1",
        "splp": True,
        "name": {"id": "API verifikasi NIK (SPLP)", "en": "ID verification API"},
    }
    out = _central(
        "ditjen-dukcapil",
        "Ditjen Dukcapil",
        20,
        "dukcapil.kemendagri.go.id",
        [
            {
                "identifier": "hak-akses-data-kependudukan",
                "name": {
                    "id": "Pemberian Hak Akses Data Kependudukan bagi Lembaga Pengguna",
                    "en": "Access to Population Data for User Institutions",
                },
                "description": {
                    "id": "Perjanjian kerja sama dan hak akses verifikasi NIK dan data kependudukan bagi kementerian, "
                    "lembaga, pemerintah daerah, dan badan hukum Indonesia.",
                    "en": "Agreements and access rights to verify national ID numbers against the population database.",
                },
                "keywords": ["verifikasi NIK", "hak akses", "PKS dukcapil"],
                "sectors": ["kependudukan"],
                "audiences": ["pelaku-usaha", "asn"],
                "requirements": [
                    {"id": "Surat permohonan dari pimpinan lembaga"},
                    {"id": "Proposal pemanfaatan data"},
                    {"id": "Dokumen keamanan informasi (ISO 27001 atau setara)"},
                ],
                "procedure": [
                    {"id": "Pengajuan permohonan"},
                    {"id": "Penilaian kelayakan"},
                    {"id": "Penandatanganan perjanjian kerja sama"},
                    {"id": "Pemberian hak akses melalui SPLP"},
                ],
                "processing_time": "P30D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Perjanjian kerja sama dan kredensial akses"}],
                "legal_basis": [UU_ADMINDUK, PERPRES_96],
                "channels": [dukcapil_api],
                "integration": {"status": "integrated", "splp_api": "dukcapil-verifikasi-nik"},
            },
            {
                "identifier": "identitas-kependudukan-digital",
                "name": {
                    "id": "Aktivasi Identitas Kependudukan Digital (IKD)",
                    "en": "Digital Population Identity Activation",
                },
                "description": {
                    "id": "Aktivasi KTP digital di aplikasi IKD sebagai pengganti fisik KTP-el untuk berbagai layanan.",
                    "en": "Activation of the digital identity card in the IKD app.",
                },
                "keywords": ["IKD", "KTP digital", "e-KTP digital"],
                "sectors": ["kependudukan"],
                "audiences": ["masyarakat"],
                "requirements": [
                    {"id": "Telah memiliki KTP-el"},
                    {"id": "Telepon pintar dengan nomor dan surel aktif"},
                ],
                "procedure": [
                    {"id": "Unduh aplikasi IKD"},
                    {"id": "Pindai kode QR aktivasi di Disdukcapil atau kecamatan"},
                    {"id": "Verifikasi wajah"},
                ],
                "processing_time": "PT1H",
                "cost": {"amount": 0},
                "outputs": [{"id": "KTP digital di aplikasi IKD"}],
                "legal_basis": [UU_ADMINDUK],
                "integration": {"status": "integrated"},
                "channels": [
                    {
                        "type": "aplikasi-mobile",
                        "url": "https://play.google.com/store/apps/details?id=gov.dukcapil.mobile_id",
                        "name": {"id": "Aplikasi IKD"},
                    }
                ],
            },
        ],
    )
    out += _central(
        "kemenkes",
        "Kementerian Kesehatan",
        15,
        "kemkes.go.id",
        [
            {
                "identifier": "satusehat-mobile",
                "name": {
                    "id": "Rekam Kesehatan Pribadi SATUSEHAT Mobile",
                    "en": "SATUSEHAT Personal Health Record",
                },
                "description": {
                    "id": "Akses riwayat imunisasi, hasil pemeriksaan, dan rekam medis ringkas melalui aplikasi SATUSEHAT Mobile.",
                    "en": "Access to immunisation history and summary medical records in the SATUSEHAT app.",
                },
                "keywords": ["SATUSEHAT", "PeduliLindungi", "rekam medis", "sertifikat vaksin"],
                "sectors": ["kesehatan"],
                "audiences": ["masyarakat"],
                "life_events": ["sakit"],
                "requirements": [{"id": "NIK yang terdaftar"}, {"id": "Nomor telepon aktif"}],
                "procedure": [
                    {"id": "Unduh aplikasi"},
                    {"id": "Daftar dengan NIK"},
                    {"id": "Verifikasi data"},
                ],
                "processing_time": "PT10M",
                "cost": {"amount": 0},
                "outputs": [{"id": "Akses rekam kesehatan pribadi"}],
                "legal_basis": [UU_KESEHATAN],
                "integration": {"status": "integrated", "splp_api": "satusehat-fhir"},
                "channels": [
                    {
                        "type": "aplikasi-mobile",
                        "url": "https://satusehat.kemkes.go.id",
                        "name": {"id": "SATUSEHAT Mobile"},
                    },
                    {
                        "type": "api",
                        "url": "https://api-satusehat.kemkes.go.id/fhir-r4/v1",
                        "splp": True,
                        "name": {"id": "FHIR API SATUSEHAT"},
                    },
                ],
            },
            {
                "identifier": "surat-tanda-registrasi-nakes",
                "name": {
                    "id": "Penerbitan Surat Tanda Registrasi (STR) Tenaga Kesehatan",
                    "en": "Registration Certificate for Health Workers",
                },
                "description": {
                    "id": "Penerbitan STR seumur hidup bagi dokter, perawat, bidan, dan tenaga kesehatan lain.",
                    "en": "Lifetime registration certificate for health professionals.",
                },
                "keywords": ["STR", "registrasi nakes", "tenaga kesehatan"],
                "sectors": ["kesehatan", "perizinan"],
                "audiences": ["tenaga-kesehatan"],
                "requirements": [
                    {"id": "Ijazah pendidikan di bidang kesehatan"},
                    {"id": "Sertifikat kompetensi"},
                    {"id": "KTP-el"},
                ],
                "procedure": [
                    {"id": "Pengajuan melalui Sistem Informasi Sumber Daya Manusia Kesehatan"},
                    {"id": "Verifikasi dokumen"},
                    {"id": "STR terbit secara elektronik"},
                ],
                "processing_time": "P7D",
                "cost": {"amount": 0},
                "outputs": [{"id": "STR elektronik"}],
                "legal_basis": [UU_KESEHATAN],
                "integration": {"status": "integrated"},
                "channels": [
                    {
                        "type": "online",
                        "url": "https://satusehat.kemkes.go.id/sdmk",
                        "name": {"id": "SISDMK"},
                    }
                ],
            },
        ],
    )
    out += _central(
        "kemendikdasmen",
        "Kemendikdasmen",
        15,
        "kemendikdasmen.go.id",
        [
            {
                "identifier": "program-indonesia-pintar",
                "name": {
                    "id": "Program Indonesia Pintar (PIP)",
                    "en": "Smart Indonesia Programme (student cash aid)",
                },
                "description": {
                    "id": "Bantuan tunai pendidikan bagi peserta didik dari keluarga miskin atau rentan melalui Kartu Indonesia Pintar.",
                    "en": "Cash assistance for students from poor households through the Smart Indonesia Card (KIP).",
                },
                "keywords": ["PIP", "KIP", "beasiswa", "bantuan sekolah"],
                "sectors": ["pendidikan", "sosial"],
                "audiences": ["pelajar"],
                "life_events": ["bersekolah"],
                "requirements": [
                    {"id": "Terdaftar di Dapodik"},
                    {"id": "Memiliki KIP atau terdaftar di DTSEN"},
                ],
                "procedure": [
                    {"id": "Sekolah mengusulkan melalui Dapodik"},
                    {"id": "Penetapan penerima"},
                    {"id": "Aktivasi rekening dan pencairan"},
                ],
                "processing_time": "P3M",
                "cost": {"amount": 0},
                "outputs": [{"id": "Dana bantuan di rekening SimPel"}],
                "legal_basis": [UU_SISDIKNAS],
                "integration": {"status": "integrated"},
                "channels": [
                    {
                        "type": "online",
                        "url": "https://pip.kemendikdasmen.go.id",
                        "name": {"id": "Laman PIP"},
                    }
                ],
            },
            {
                "identifier": "penyetaraan-ijazah-luar-negeri",
                "name": {
                    "id": "Penyetaraan Ijazah Pendidikan Dasar dan Menengah Luar Negeri",
                    "en": "Recognition of Foreign School Diplomas",
                },
                "description": {
                    "id": "Penyetaraan ijazah sekolah dasar dan menengah yang diperoleh di luar negeri.",
                    "en": "Equivalence of primary and secondary diplomas earned abroad.",
                },
                "keywords": ["penyetaraan ijazah", "ijazah luar negeri"],
                "sectors": ["pendidikan"],
                "audiences": ["pelajar"],
                "life_events": ["bersekolah", "pindah-domisili"],
                "requirements": [
                    {"id": "Ijazah dan transkrip yang dilegalisasi perwakilan RI"},
                    {"id": "Paspor"},
                ],
                "procedure": [
                    {"id": "Pengajuan daring"},
                    {"id": "Verifikasi dokumen"},
                    {"id": "Penerbitan surat keputusan penyetaraan"},
                ],
                "processing_time": "P14D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Surat keputusan penyetaraan"}],
                "legal_basis": [UU_SISDIKNAS],
                "integration": {"status": "assessed"},
                "channels": [{"type": "online", "url": "https://penyetaraan.kemendikdasmen.go.id"}],
            },
        ],
    )
    out += _central(
        "kemensos",
        "Kementerian Sosial",
        15,
        "kemensos.go.id",
        [
            {
                "identifier": "program-keluarga-harapan",
                "name": {
                    "id": "Program Keluarga Harapan (PKH)",
                    "en": "Family Hope Programme (conditional cash transfer)",
                },
                "description": {
                    "id": "Bantuan sosial bersyarat bagi keluarga miskin dengan ibu hamil, anak usia sekolah, lansia, atau penyandang disabilitas berat.",
                    "en": "Conditional cash transfers for poor families with pregnant mothers, children, elderly or disabled members.",
                },
                "keywords": ["PKH", "bansos", "bantuan sosial"],
                "sectors": ["sosial"],
                "audiences": ["masyarakat", "lansia", "penyandang-disabilitas"],
                "life_events": ["kelahiran", "bersekolah"],
                "requirements": [
                    {"id": "Terdaftar di DTSEN"},
                    {"id": "Memenuhi kriteria komponen PKH"},
                ],
                "procedure": [
                    {"id": "Penetapan calon penerima dari DTSEN"},
                    {"id": "Validasi oleh pendamping PKH"},
                    {"id": "Penyaluran bantuan"},
                ],
                "processing_time": "P3M",
                "cost": {"amount": 0},
                "outputs": [{"id": "Bantuan tunai bersyarat"}],
                "legal_basis": [UU_FAKIR_MISKIN, UU_KESOS],
                "integration": {"status": "integrated"},
                "channels": [
                    {
                        "type": "aplikasi-mobile",
                        "url": "https://cekbansos.kemensos.go.id",
                        "name": {"id": "Cek Bansos"},
                    }
                ],
            },
            {
                "identifier": "asistensi-rehabilitasi-lansia",
                "name": {
                    "id": "Asistensi Rehabilitasi Sosial Lanjut Usia (ATENSI)",
                    "en": "Social Rehabilitation Assistance for Older People",
                },
                "description": {
                    "id": "Layanan dukungan hidup, perawatan sosial, dan terapi bagi lansia terlantar melalui sentra Kementerian Sosial.",
                    "en": "Support, care and therapy for neglected older people.",
                },
                "keywords": ["ATENSI", "lansia", "panti werdha"],
                "sectors": ["sosial"],
                "audiences": ["lansia"],
                "requirements": [
                    {"id": "KTP-el atau surat keterangan identitas"},
                    {"id": "Rujukan dinas sosial atau laporan masyarakat"},
                ],
                "procedure": [
                    {"id": "Laporan atau rujukan diterima"},
                    {"id": "Asesmen pekerja sosial"},
                    {"id": "Pemberian layanan"},
                ],
                "processing_time": "P7D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Layanan rehabilitasi sosial"}],
                "legal_basis": [UU_KESOS],
                "integration": {"status": "inventoried"},
                "channels": [
                    {
                        "type": "telepon",
                        "phone": "171",
                        "name": {"id": "Command Center Kemensos 171"},
                    }
                ],
            },
        ],
    )
    out += _central(
        "bkn",
        "Badan Kepegawaian Negara",
        15,
        "bkn.go.id",
        [
            {
                "identifier": "penetapan-pensiun-pns",
                "name": {"id": "Penetapan Pensiun PNS", "en": "Civil Servant Pension Decision"},
                "description": {
                    "id": "Penetapan hak pensiun PNS yang mencapai batas usia pensiun melalui layanan SIASN.",
                    "en": "Pension decisions for civil servants reaching retirement age.",
                },
                "keywords": ["pensiun", "BUP", "SK pensiun", "SIASN"],
                "sectors": ["kepegawaian"],
                "audiences": ["asn"],
                "life_events": ["pensiun"],
                "requirements": [
                    {"id": "SK CPNS dan SK pangkat terakhir"},
                    {"id": "Data keluarga"},
                    {"id": "Pas foto"},
                ],
                "procedure": [
                    {"id": "Instansi mengusulkan paling lambat 1 tahun sebelum BUP"},
                    {"id": "Verifikasi oleh BKN"},
                    {"id": "SK pensiun terbit secara elektronik"},
                ],
                "processing_time": "P1M",
                "cost": {"amount": 0},
                "outputs": [{"id": "SK Pensiun"}],
                "legal_basis": [UU_ASN, PP_MANAJEMEN_PNS],
                "integration": {"status": "integrated", "splp_api": "siasn-pensiun"},
                "channels": [
                    {
                        "type": "online",
                        "url": "https://siasn-instansi.bkn.go.id",
                        "name": {"id": "SIASN"},
                    }
                ],
            },
            {
                "identifier": "seleksi-casn",
                "name": {
                    "id": "Seleksi Calon Aparatur Sipil Negara (CASN)",
                    "en": "Civil Service Recruitment",
                },
                "description": {
                    "id": "Pendaftaran dan seleksi CPNS dan PPPK secara nasional melalui portal SSCASN.",
                    "en": "National recruitment of civil servants (CPNS and PPPK) through SSCASN.",
                },
                "keywords": ["CPNS", "PPPK", "SSCASN", "lowongan ASN"],
                "sectors": ["kepegawaian", "ketenagakerjaan"],
                "audiences": ["pencari-kerja"],
                "life_events": ["mencari-kerja"],
                "requirements": [
                    {"id": "KTP-el dan KK"},
                    {"id": "Ijazah dan transkrip"},
                    {"id": "Pas foto dan swafoto"},
                ],
                "procedure": [
                    {"id": "Membuat akun SSCASN"},
                    {"id": "Memilih formasi dan mengunggah dokumen"},
                    {"id": "Seleksi administrasi"},
                    {"id": "Seleksi kompetensi dasar dengan CAT"},
                    {"id": "Pengumuman kelulusan"},
                ],
                "processing_time": "P3M",
                "cost": {"amount": 0},
                "outputs": [{"id": "Pengumuman kelulusan dan NI ASN"}],
                "legal_basis": [UU_ASN],
                "integration": {"status": "integrated"},
                "channels": [
                    {"type": "online", "url": "https://sscasn.bkn.go.id", "name": {"id": "SSCASN"}}
                ],
            },
        ],
    )
    out += _central(
        "bpjs-kesehatan",
        "BPJS Kesehatan",
        20,
        "bpjs-kesehatan.go.id",
        [
            {
                "identifier": "pendaftaran-peserta-jkn",
                "name": {
                    "id": "Pendaftaran Peserta JKN (Pekerja Bukan Penerima Upah)",
                    "en": "National Health Insurance Registration",
                },
                "description": {
                    "id": "Pendaftaran peserta Jaminan Kesehatan Nasional mandiri bagi pekerja bukan penerima upah dan keluarganya.",
                    "en": "Self-registration of informal workers and their families in the national health insurance.",
                },
                "keywords": ["BPJS", "JKN", "KIS", "daftar BPJS"],
                "sectors": ["kesehatan"],
                "audiences": ["masyarakat"],
                "life_events": ["kelahiran", "sakit", "kehilangan-pekerjaan"],
                "requirements": [
                    {"id": "KTP-el dan KK"},
                    {"id": "Nomor rekening untuk autodebit"},
                    {"id": "Alamat surel dan nomor telepon"},
                ],
                "procedure": [
                    {"id": "Mendaftar melalui Mobile JKN, PANDAWA, atau kantor cabang"},
                    {"id": "Memilih kelas dan fasilitas kesehatan tingkat pertama"},
                    {"id": "Membayar iuran pertama"},
                    {"id": "Kartu JKN digital aktif"},
                ],
                "processing_time": "P14D",
                "cost": {
                    "amount": 0,
                    "description": {"id": "Pendaftaran gratis; iuran bulanan sesuai kelas"},
                },
                "outputs": [{"id": "Kartu JKN-KIS digital"}],
                "legal_basis": [UU_BPJS, PERPRES_JKN],
                "integration": {"status": "integrated", "splp_api": "bpjs-vclaim"},
                "channels": [
                    {
                        "type": "aplikasi-mobile",
                        "url": "https://play.google.com/store/apps/details?id=app.bpjs.mobile",
                        "name": {"id": "Mobile JKN"},
                    },
                    {
                        "type": "telepon",
                        "phone": "165",
                        "name": {"id": "BPJS Kesehatan Care Center 165"},
                    },
                ],
            },
            {
                "identifier": "pindah-faskes",
                "name": {
                    "id": "Perubahan Fasilitas Kesehatan Tingkat Pertama",
                    "en": "Change of Primary Care Provider",
                },
                "description": {
                    "id": "Perpindahan faskes tingkat pertama peserta JKN, paling cepat tiga bulan sejak terdaftar.",
                    "en": "Change of a member's primary care facility.",
                },
                "keywords": ["pindah faskes", "ganti puskesmas", "FKTP"],
                "sectors": ["kesehatan"],
                "audiences": ["masyarakat"],
                "life_events": ["pindah-domisili"],
                "requirements": [
                    {"id": "Nomor kartu JKN"},
                    {"id": "Terdaftar minimal 3 bulan di faskes lama"},
                ],
                "procedure": [
                    {"id": "Ajukan di aplikasi Mobile JKN"},
                    {"id": "Pilih faskes baru"},
                    {"id": "Berlaku bulan berikutnya"},
                ],
                "processing_time": "P1M",
                "cost": {"amount": 0},
                "outputs": [{"id": "Faskes tingkat pertama baru"}],
                "legal_basis": [PERPRES_JKN],
                "integration": {"status": "integrated"},
                "channels": [
                    {
                        "type": "aplikasi-mobile",
                        "url": "https://play.google.com/store/apps/details?id=app.bpjs.mobile",
                        "name": {"id": "Mobile JKN"},
                    }
                ],
            },
        ],
    )
    return out + polri()


def province() -> list[dict]:
    def prov(authority: str, office: str, records: list[dict]) -> list[dict]:
        base = {
            "authority": authority,
            "areas": ["75"],
            "languages": ["id"],
            "complaints": {
                "id": "Pengaduan melalui SP4N-LAPOR! atau surel ke pengaduan@gorontaloprov.go.id.",
                **LAPOR,
                "email": "pengaduan@gorontaloprov.go.id",
            },
            "management": management(office, 6, "Kota Gorontalo"),
            "integration": {"status": "inventoried"},
        }
        return [{**base, **r} for r in records]

    out = prov(
        "dikbud-prov-gorontalo",
        "Dinas Pendidikan dan Kebudayaan",
        [
            {
                "identifier": "spmb-sma-smk-slb",
                "name": {
                    "id": "Sistem Penerimaan Murid Baru SMA, SMK, dan SLB",
                    "en": "New Student Admission for Senior Secondary Schools",
                },
                "description": {
                    "id": "Pendaftaran murid baru SMA, SMK, dan SLB negeri se-Provinsi Gorontalo.",
                    "en": "Admission to public senior secondary and special schools in Gorontalo province.",
                },
                "keywords": ["PPDB SMA", "SPMB", "daftar SMK"],
                "sectors": ["pendidikan"],
                "audiences": ["pelajar"],
                "life_events": ["bersekolah"],
                "requirements": [
                    {"id": "Ijazah SMP atau surat keterangan lulus"},
                    {"id": "Kartu Keluarga"},
                    {"id": "Akta kelahiran"},
                ],
                "procedure": [
                    {"id": "Pendaftaran daring"},
                    {"id": "Verifikasi berkas di sekolah"},
                    {"id": "Pengumuman"},
                    {"id": "Daftar ulang"},
                ],
                "processing_time": "P30D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Pengumuman penerimaan"}],
                "legal_basis": [UU_SISDIKNAS],
                "channels": [{"type": "online", "url": "https://spmb.gorontaloprov.go.id"}],
            },
            {
                "identifier": "legalisir-ijazah-sma",
                "name": {
                    "id": "Legalisasi Ijazah SMA/SMK",
                    "en": "Certified Copies of Senior Secondary Diplomas",
                },
                "description": {
                    "id": "Pengesahan fotokopi ijazah SMA/SMK untuk sekolah yang sudah tidak beroperasi.",
                    "en": "Certification of diploma copies from closed senior secondary schools.",
                },
                "keywords": ["legalisir ijazah SMA"],
                "sectors": ["pendidikan"],
                "audiences": ["masyarakat", "pencari-kerja"],
                "life_events": ["mencari-kerja"],
                "requirements": [{"id": "Ijazah asli dan fotokopi"}],
                "procedure": [{"id": "Penyerahan berkas"}, {"id": "Pengesahan"}],
                "processing_time": "P1D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Fotokopi ijazah yang disahkan"}],
                "legal_basis": [UU_SISDIKNAS],
                "channels": [
                    {
                        "type": "loket",
                        "name": {"id": "Loket Dikbud Provinsi"},
                        "address": "Kompleks Perkantoran Provinsi Gorontalo, Botu, Kota Gorontalo",
                    }
                ],
            },
        ],
    )
    out += prov(
        "dinkes-prov-gorontalo",
        "Dinas Kesehatan",
        [
            {
                "identifier": "rujukan-pasien-antar-kabupaten",
                "name": {
                    "id": "Layanan Rujukan dan Ambulans Gawat Darurat Terpadu (PSC 119)",
                    "en": "Integrated Emergency Referral and Ambulance (PSC 119)",
                },
                "description": {
                    "id": "Koordinasi rujukan pasien gawat darurat antar-rumah sakit dan ambulans melalui panggilan 119.",
                    "en": "Emergency referrals between hospitals and ambulance dispatch through 119.",
                },
                "keywords": ["ambulans", "119", "gawat darurat", "rujukan"],
                "sectors": ["kesehatan", "kebencanaan"],
                "audiences": ["masyarakat"],
                "life_events": ["sakit", "bencana"],
                "requirements": [{"id": "Tidak ada persyaratan dalam keadaan darurat"}],
                "procedure": [
                    {"id": "Hubungi 119"},
                    {"id": "Operator menilai kondisi"},
                    {"id": "Ambulans dikirim dan rumah sakit rujukan disiapkan"},
                ],
                "processing_time": "PT30M",
                "cost": {"amount": 0},
                "outputs": [{"id": "Penanganan dan rujukan pasien"}],
                "legal_basis": [UU_KESEHATAN],
                "channels": [{"type": "telepon", "phone": "119", "name": {"id": "PSC 119"}}],
            },
        ],
    )
    out += prov(
        "dinsos-prov-gorontalo",
        "Dinas Sosial",
        [
            {
                "identifier": "bantuan-korban-bencana",
                "name": {
                    "id": "Bantuan Sosial Korban Bencana",
                    "en": "Social Assistance for Disaster Victims",
                },
                "description": {
                    "id": "Bantuan logistik, hunian sementara, dan dukungan psikososial bagi korban bencana alam dan sosial.",
                    "en": "Food, shelter and psychosocial support for disaster victims.",
                },
                "keywords": ["bencana", "banjir", "bantuan logistik", "pengungsi"],
                "sectors": ["sosial", "kebencanaan"],
                "audiences": ["masyarakat"],
                "life_events": ["bencana"],
                "requirements": [{"id": "Data korban dari desa/kelurahan atau posko"}],
                "procedure": [
                    {"id": "Pendataan korban"},
                    {"id": "Penyaluran bantuan"},
                    {"id": "Pendampingan psikososial"},
                ],
                "processing_time": "P1D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Bantuan logistik dan layanan"}],
                "legal_basis": [UU_KESOS],
                "channels": [
                    {"type": "telepon", "phone": "112", "name": {"id": "Panggilan darurat 112"}}
                ],
            },
        ],
    )
    out += prov(
        "bkd-prov-gorontalo",
        "Badan Kepegawaian Daerah",
        [
            {
                "identifier": "cuti-pns-provinsi",
                "name": {
                    "id": "Pelayanan Cuti PNS Pemerintah Provinsi",
                    "en": "Leave Requests of Provincial Civil Servants",
                },
                "description": {
                    "id": "Pengajuan cuti besar, cuti sakit, cuti melahirkan, dan cuti di luar tanggungan negara bagi PNS Pemprov Gorontalo.",
                    "en": "Long, sick, maternity and unpaid leave for provincial civil servants.",
                },
                "keywords": ["cuti", "cuti melahirkan", "cuti besar"],
                "sectors": ["kepegawaian"],
                "audiences": ["asn"],
                "life_events": ["kelahiran", "sakit"],
                "requirements": [
                    {"id": "Formulir permohonan cuti"},
                    {"id": "Surat keterangan dokter untuk cuti sakit"},
                ],
                "procedure": [
                    {"id": "Pengajuan melalui aplikasi kepegawaian"},
                    {"id": "Persetujuan atasan"},
                    {"id": "Penerbitan surat izin cuti"},
                ],
                "processing_time": "P3D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Surat izin cuti"}],
                "legal_basis": [PP_MANAJEMEN_PNS],
                "channels": [{"type": "online", "url": "https://bkd.gorontaloprov.go.id/cuti"}],
            },
            {
                "identifier": "ujian-dinas-kenaikan-pangkat",
                "name": {
                    "id": "Ujian Dinas dan Ujian Penyesuaian Kenaikan Pangkat",
                    "en": "Service Examinations for Promotion",
                },
                "description": {
                    "id": "Penyelenggaraan ujian dinas dan ujian penyesuaian kenaikan pangkat bagi PNS provinsi.",
                    "en": "Civil service examinations required for certain promotions.",
                },
                "keywords": ["ujian dinas", "UPKP"],
                "sectors": ["kepegawaian"],
                "audiences": ["asn"],
                "requirements": [{"id": "SK pangkat terakhir"}, {"id": "Ijazah terakhir"}],
                "procedure": [
                    {"id": "Pendaftaran"},
                    {"id": "Ujian dengan CAT"},
                    {"id": "Pengumuman hasil"},
                ],
                "processing_time": "P30D",
                "cost": {"amount": 0},
                "outputs": [{"id": "Surat tanda lulus ujian"}],
                "legal_basis": [UU_ASN],
                "channels": [{"type": "online", "url": "https://bkd.gorontaloprov.go.id/ujian"}],
            },
        ],
    )
    return out


def district(authority: str, code: str, name: str) -> list[dict]:
    base = {
        "authority": authority,
        "areas": [code],
        "languages": ["id"],
        "cost": {"amount": 0},
        "complaints": {
            "id": f"Pengaduan kepada Camat melalui kotak saran kantor {name} atau SP4N-LAPOR!.",
            **LAPOR,
        },
        "management": management(name, 3, name.removeprefix("Kecamatan ")),
        "integration": {"status": "not-integrable"},
        "legal_basis": [PP_KECAMATAN, PATEN],
        "channels": [
            {
                "type": "loket",
                "name": {"id": f"Loket PATEN {name}"},
                "address": f"Kantor {name}",
                "hours": {"id": "Senin-Jumat 08.00-15.00 WITA"},
            }
        ],
    }
    return [
        {**base, **r}
        for r in [
            {
                "identifier": "rekomendasi-izin-keramaian",
                "name": {
                    "id": "Rekomendasi Izin Keramaian",
                    "en": "Recommendation for a Public Event Permit",
                },
                "description": {
                    "id": f"Rekomendasi camat untuk kegiatan keramaian (pesta, hiburan) di wilayah {name}, sebagai syarat izin dari kepolisian.",
                    "en": "District head's recommendation needed for a police event permit.",
                },
                "keywords": ["izin keramaian", "pesta", "hajatan"],
                "sectors": ["kepolisian"],
                "audiences": ["masyarakat"],
                "life_events": ["pernikahan"],
                "requirements": [
                    {"id": "Surat pengantar dari desa/kelurahan"},
                    {"id": "Fotokopi KTP-el penyelenggara"},
                ],
                "procedure": [
                    {"id": "Penyerahan berkas di loket PATEN"},
                    {"id": "Penandatanganan rekomendasi oleh camat"},
                ],
                "processing_time": "P1D",
                "outputs": [{"id": "Surat rekomendasi camat"}],
            },
            {
                "identifier": "legalisasi-dokumen-kecamatan",
                "name": {
                    "id": "Legalisasi Dokumen Kependudukan dan Surat Keterangan",
                    "en": "Certification of Documents by the District",
                },
                "description": {
                    "id": "Pengesahan surat keterangan dari desa/kelurahan dan dokumen lain oleh camat.",
                    "en": "Certification by the district head of letters issued by villages.",
                },
                "keywords": ["legalisir", "cap camat"],
                "sectors": ["kependudukan"],
                "audiences": ["masyarakat"],
                "requirements": [{"id": "Dokumen asli dan fotokopi"}],
                "procedure": [{"id": "Penyerahan dokumen"}, {"id": "Pemeriksaan dan pengesahan"}],
                "processing_time": "PT2H",
                "outputs": [{"id": "Dokumen yang disahkan"}],
            },
        ]
    ]


def village(authority: str, code: str, name: str) -> list[dict]:
    kind = "kelurahan" if name.startswith("Kelurahan") else "desa"
    base = {
        "authority": authority,
        "areas": [code],
        "languages": ["id"],
        "cost": {"amount": 0},
        "sectors": ["kependudukan"],
        "audiences": ["masyarakat"],
        "complaints": {"id": f"Pengaduan kepada kepala {kind} atau melalui SP4N-LAPOR!.", **LAPOR},
        "legal_basis": [UU_DESA, PERMENDAGRI_SPM_DESA] if kind == "desa" else [UU_PELAYANAN_PUBLIK],
        "processing_time": "PT1H",
        "integration": {"status": "not-integrable"},
        "channels": [
            {
                "type": "loket",
                "name": {"id": f"Kantor {name}"},
                "address": f"Kantor {name}",
                "hours": {"id": "Senin-Jumat 08.00-14.00 WITA"},
            }
        ],
        "management": {
            "staff_count": 2,
            "facilities": {"id": f"Ruang pelayanan di kantor {kind} dengan kursi tunggu."},
            "service_guarantee": {"id": "Surat selesai pada hari yang sama bila berkas lengkap."},
        },
    }
    return [
        {**base, **r}
        for r in [
            {
                "identifier": "surat-keterangan-domisili",
                "name": {"id": "Surat Keterangan Domisili", "en": "Certificate of Residence"},
                "description": {
                    "id": f"Surat keterangan bahwa seseorang bertempat tinggal di wilayah {name}.",
                    "en": "Certificate that a person lives in the village.",
                },
                "keywords": ["domisili", "surat keterangan tinggal"],
                "life_events": ["pindah-domisili", "mencari-kerja"],
                "requirements": [{"id": "Surat pengantar RT/RW"}, {"id": "Fotokopi KTP-el dan KK"}],
                "procedure": [
                    {"id": "Pemohon membawa pengantar RT/RW ke kantor"},
                    {"id": "Petugas membuat surat"},
                    {"id": "Kepala " + kind + " menandatangani"},
                ],
                "outputs": [{"id": "Surat Keterangan Domisili"}],
            },
            {
                "identifier": "surat-keterangan-tidak-mampu",
                "name": {
                    "id": "Surat Keterangan Tidak Mampu (SKTM)",
                    "en": "Low-Income Certificate",
                },
                "description": {
                    "id": "Surat keterangan bagi warga kurang mampu untuk keringanan biaya sekolah atau berobat.",
                    "en": "Certificate of low income for school or medical fee waivers.",
                },
                "keywords": ["SKTM", "keterangan miskin"],
                "sectors": ["sosial"],
                "life_events": ["sakit", "bersekolah"],
                "requirements": [{"id": "Surat pengantar RT/RW"}, {"id": "Fotokopi KTP-el dan KK"}],
                "procedure": [
                    {"id": "Pengajuan di kantor"},
                    {"id": "Verifikasi oleh petugas"},
                    {"id": "Penandatanganan"},
                ],
                "outputs": [{"id": "SKTM"}],
            },
            {
                "identifier": "surat-pengantar-nikah",
                "name": {"id": "Surat Pengantar Perkawinan", "en": "Marriage Introduction Letter"},
                "description": {
                    "id": "Surat pengantar (formulir N1-N4) untuk mendaftarkan perkawinan di KUA atau Disdukcapil.",
                    "en": "Village letters required to register a marriage.",
                },
                "keywords": ["pengantar nikah", "N1", "surat nikah"],
                "life_events": ["pernikahan"],
                "requirements": [
                    {"id": "Fotokopi KTP-el dan KK calon pengantin"},
                    {"id": "Fotokopi akta kelahiran"},
                    {"id": "Pas foto 3x4"},
                ],
                "procedure": [
                    {"id": "Calon pengantin mengajukan di kantor"},
                    {"id": "Petugas mengisi formulir"},
                    {"id": "Penandatanganan"},
                ],
                "outputs": [{"id": "Surat pengantar perkawinan"}],
            },
            {
                "identifier": "surat-keterangan-usaha",
                "name": {"id": "Surat Keterangan Usaha", "en": "Business Certificate"},
                "description": {
                    "id": "Surat keterangan bahwa warga menjalankan usaha di wilayah ini, untuk kredit usaha rakyat dan perizinan.",
                    "en": "Certificate that a resident runs a business, used for micro-credit and licences.",
                },
                "keywords": ["SKU", "keterangan usaha", "KUR"],
                "sectors": ["perdagangan"],
                "audiences": ["pelaku-usaha"],
                "life_events": ["memulai-usaha"],
                "requirements": [
                    {"id": "Surat pengantar RT/RW"},
                    {"id": "Fotokopi KTP-el"},
                    {"id": "Foto tempat usaha"},
                ],
                "procedure": [
                    {"id": "Pengajuan"},
                    {"id": "Peninjauan tempat usaha bila perlu"},
                    {"id": "Penandatanganan"},
                ],
                "outputs": [{"id": "Surat Keterangan Usaha"}],
            },
        ]
    ]
