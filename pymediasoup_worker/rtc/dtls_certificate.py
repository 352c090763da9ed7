"""The worker's DTLS certificate and its fingerprints, as mediasoup's DtlsTransport class data.

One certificate per worker: read from --dtlsCertificateFile / --dtlsPrivateKeyFile, or
else a self-signed ECDSA P-256 one generated like mediasoup's (subject O and CN
"mediasoup<6 digits>", a random serial, valid from 10 years ago to 10 years ahead).
It is made lazily, on the first WebRtcTransport: ``cryptography`` is imported there and
never on the worker's start-up path.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING, Any

from ..errors import MediaSoupError

if TYPE_CHECKING:
    from ..settings import Settings

# mediasoup lists them in this order (its map is sorted by name).
FINGERPRINT_ALGORITHMS = ("sha-1", "sha-224", "sha-256", "sha-384", "sha-512")

_TEN_YEARS_S = 315360000


class DtlsCertificate:
    """A certificate, its private key (``cryptography`` objects) and its five fingerprints."""

    __slots__ = ("certificate", "private_key", "fingerprints")

    def __init__(self, certificate: Any, private_key: Any) -> None:
        self.certificate = certificate
        self.private_key = private_key
        self.fingerprints: list[dict[str, str]] = [
            {"algorithm": name, "value": fingerprint(certificate, name)}
            for name in FINGERPRINT_ALGORITHMS
        ]

    @classmethod
    def from_pem(cls, certificate_pem: bytes, private_key_pem: bytes) -> DtlsCertificate:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        try:
            certificate = x509.load_pem_x509_certificate(certificate_pem)
        except ValueError as exc:
            raise MediaSoupError(f"PEM_read_bio_X509() failed: {exc}") from None
        try:
            private_key = load_pem_private_key(private_key_pem, password=None)
        except (ValueError, TypeError) as exc:
            raise MediaSoupError(f"PEM_read_bio_PrivateKey() failed: {exc}") from None
        return cls(certificate, private_key)

    @classmethod
    def generate(cls, now: datetime.datetime | None = None) -> DtlsCertificate:
        """A new self-signed ECDSA P-256 certificate, valid 10 years around ``now`` (UTC)."""

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        private_key = ec.generate_private_key(ec.SECP256R1())
        subject = f"mediasoup{random.randint(100000, 999999)}"
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject),
                x509.NameAttribute(NameOID.COMMON_NAME, subject),
            ]
        )
        if now is None:
            now = datetime.datetime.now(datetime.UTC)
        ten_years = datetime.timedelta(seconds=_TEN_YEARS_S)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private_key.public_key())
            .serial_number(random.randint(1000000, 9999999))
            .not_valid_before(now - ten_years)
            .not_valid_after(now + ten_years)
            .sign(private_key, hashes.SHA256())
        )
        return cls(certificate, private_key)

    def certificate_pem(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return bytes(self.certificate.public_bytes(Encoding.PEM))

    def private_key_pem(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        return bytes(
            self.private_key.private_bytes(
                Encoding.PEM, PrivateFormat.TraditionalOpenSSL, NoEncryption()
            )
        )


def fingerprint(certificate: Any, algorithm: str) -> str:
    """The certificate's fingerprint as in SDP: uppercase hex pairs joined by colons."""
    from cryptography.hazmat.primitives import hashes

    hash_algorithm: hashes.HashAlgorithm = {
        "sha-1": hashes.SHA1(),
        "sha-224": hashes.SHA224(),
        "sha-256": hashes.SHA256(),
        "sha-384": hashes.SHA384(),
        "sha-512": hashes.SHA512(),
    }[algorithm]
    return str(certificate.fingerprint(hash_algorithm).hex(":").upper())


_worker_certificate: DtlsCertificate | None = None


def get_worker_certificate(settings: Settings) -> DtlsCertificate:
    """The worker's certificate, loaded or generated on the first call (raises MediaSoupError)."""
    global _worker_certificate
    if _worker_certificate is None:
        cert_file, key_file = settings.dtls_certificate_file, settings.dtls_private_key_file
        if cert_file and key_file:
            try:
                with open(cert_file, "rb") as f:
                    cert_pem = f.read()
                with open(key_file, "rb") as f:
                    key_pem = f.read()
            except OSError as exc:
                raise MediaSoupError(f"cannot read DTLS certificate files: {exc}") from None
            _worker_certificate = DtlsCertificate.from_pem(cert_pem, key_pem)
        else:
            _worker_certificate = DtlsCertificate.generate()
    return _worker_certificate
