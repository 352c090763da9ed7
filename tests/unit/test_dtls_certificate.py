"""The worker's DTLS certificate: generation, loading from PEM files, the five fingerprints."""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path

import pytest

from pymediasoup_worker.errors import MediaSoupError
from pymediasoup_worker.rtc import dtls_certificate
from pymediasoup_worker.rtc.dtls_certificate import (
    FINGERPRINT_ALGORITHMS,
    DtlsCertificate,
    get_worker_certificate,
)
from pymediasoup_worker.settings import Settings

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def generated() -> DtlsCertificate:
    return DtlsCertificate.generate(NOW)


@pytest.mark.parametrize(
    ("algorithm", "hash_name", "size"),
    [
        ("sha-1", "sha1", 20),
        ("sha-224", "sha224", 28),
        ("sha-256", "sha256", 32),
        ("sha-384", "sha384", 48),
        ("sha-512", "sha512", 64),
    ],
)
def test_fingerprints(
    generated: DtlsCertificate, algorithm: str, hash_name: str, size: int
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    entry = next(f for f in generated.fingerprints if f["algorithm"] == algorithm)
    value = entry["value"]
    assert re.fullmatch(r"([0-9A-F]{2}:)*[0-9A-F]{2}", value)
    assert len(value.split(":")) == size
    der = generated.certificate.public_bytes(Encoding.DER)
    assert value.replace(":", "") == hashlib.new(hash_name, der).hexdigest().upper()


def test_fingerprint_order(generated: DtlsCertificate) -> None:
    assert [f["algorithm"] for f in generated.fingerprints] == list(FINGERPRINT_ALGORITHMS)


def test_generated_like_mediasoup(generated: DtlsCertificate) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert = generated.certificate
    assert isinstance(generated.private_key, ec.EllipticCurvePrivateKey)
    assert generated.private_key.curve.name == "secp256r1"
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert re.fullmatch(r"mediasoup\d{6}", cn) and org == cn
    assert cert.issuer == cert.subject
    assert 1000000 <= cert.serial_number <= 9999999
    ten_years = datetime.timedelta(seconds=315360000)
    assert cert.not_valid_before_utc == NOW - ten_years
    assert cert.not_valid_after_utc == NOW + ten_years


def test_pem_round_trip(generated: DtlsCertificate) -> None:
    again = DtlsCertificate.from_pem(generated.certificate_pem(), generated.private_key_pem())
    assert again.fingerprints == generated.fingerprints


@pytest.mark.parametrize(
    ("cert_pem", "key_pem", "message"),
    [
        (b"garbage", None, "PEM_read_bio_X509"),
        (None, b"garbage", "PEM_read_bio_PrivateKey"),
    ],
)
def test_bad_pem(
    generated: DtlsCertificate, cert_pem: bytes | None, key_pem: bytes | None, message: str
) -> None:
    with pytest.raises(MediaSoupError, match=message):
        DtlsCertificate.from_pem(
            cert_pem or generated.certificate_pem(), key_pem or generated.private_key_pem()
        )


@pytest.fixture
def fresh_worker_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dtls_certificate, "_worker_certificate", None)


@pytest.mark.usefixtures("fresh_worker_certificate")
def test_worker_certificate_from_files(generated: DtlsCertificate, tmp_path: Path) -> None:
    settings = Settings()
    settings.dtls_certificate_file = str(tmp_path / "cert.pem")
    settings.dtls_private_key_file = str(tmp_path / "key.pem")
    (tmp_path / "cert.pem").write_bytes(generated.certificate_pem())
    (tmp_path / "key.pem").write_bytes(generated.private_key_pem())
    first = get_worker_certificate(settings)
    assert first.fingerprints == generated.fingerprints
    assert get_worker_certificate(settings) is first  # made once per worker


@pytest.mark.usefixtures("fresh_worker_certificate")
def test_worker_certificate_generated_lazily() -> None:
    assert dtls_certificate._worker_certificate is None
    first = get_worker_certificate(Settings())
    assert get_worker_certificate(Settings()) is first


@pytest.mark.usefixtures("fresh_worker_certificate")
def test_worker_certificate_unreadable_file(tmp_path: Path) -> None:
    settings = Settings()
    settings.dtls_certificate_file = str(tmp_path / "missing.pem")
    settings.dtls_private_key_file = str(tmp_path / "missing-key.pem")
    with pytest.raises(MediaSoupError, match="cannot read DTLS certificate files"):
        get_worker_certificate(settings)
