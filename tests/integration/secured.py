"""A throwaway TLS CA and server certificate, SCRAM users and client settings for a
``KAFKA_SECURITY=sasl_ssl`` broker of deploy/kafka/broker.sh (tests/integration/test_sasl_acl.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from ipaddress import IPv4Address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from intentwatch.pipeline.settings import KafkaSettings


@dataclass(frozen=True)
class Tls:
    ca: Path         # the CA certificate (clients' ssl.ca.location, the broker's truststore)
    keystore: Path   # the server's PKCS#8 key then its certificate (the broker's PEM keystore)


def make_tls(out: Path) -> Tls:
    """A CA valid for a day and a server certificate it signed, for 127.0.0.1 (SAN IP and DNS localhost)."""
    now = datetime.now(timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intentwatch test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
          .not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
              .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1")), x509.DNSName("localhost")]),
                             critical=False)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                             critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    out.mkdir(parents=True, exist_ok=True)
    tls = Tls(out / "ca.pem", out / "server-keystore.pem")
    tls.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    # Kafka's PEM keystore reads a PKCS#8 key ("BEGIN PRIVATE KEY"), unencrypted when no ssl.key.password is set.
    tls.keystore.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption())
                             + server.public_bytes(serialization.Encoding.PEM))
    tls.keystore.chmod(0o600)
    return tls


def new_passwords(names: list[str]) -> dict[str, str]:
    """A random password per user, from the characters broker.sh accepts ([A-Za-z0-9_-])."""
    return {n: secrets.token_urlsafe(24) for n in names}


def write_users_file(path: Path, passwords: dict[str, str]) -> Path:
    path.write_text("".join(f"{n} {p}\n" for n, p in passwords.items()))
    path.chmod(0o600)
    return path


def client_settings(bootstrap: str, tls: Tls, user: str, password: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=bootstrap, security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512",
                         sasl_username=user, sasl_password=password, ssl_ca_location=str(tls.ca))


def client_env(settings: KafkaSettings) -> dict[str, str]:
    """The same, as the ``INTENTWATCH_KAFKA__*`` variables an operator sets for the worker."""
    assert settings.sasl_password is not None and settings.sasl_username is not None
    return {"INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS": settings.bootstrap_servers,
            "INTENTWATCH_KAFKA__SECURITY_PROTOCOL": settings.security_protocol,
            "INTENTWATCH_KAFKA__SASL_MECHANISM": str(settings.sasl_mechanism),
            "INTENTWATCH_KAFKA__SASL_USERNAME": settings.sasl_username,
            "INTENTWATCH_KAFKA__SASL_PASSWORD": settings.sasl_password.get_secret_value(),
            "INTENTWATCH_KAFKA__SSL_CA_LOCATION": str(settings.ssl_ca_location)}
