"""What reportgen knows about protocols: which encrypt, which are plaintext, which are only
transport. Shared by the consistency checks and the assessment rules."""

from __future__ import annotations

import re

from .model import Protocol

ENCRYPTING: frozenset[str] = frozenset(
    {
        "HTTPS", "TLS", "MTLS", "DTLS", "SSH", "SFTP", "SCP", "FTPS", "GRPCS", "WSS", "LDAPS",
        "SMTPS", "IMAPS", "QUIC", "WIREGUARD", "IPSEC", "OPENVPN", "NVME-TLS",
    }
)  # fmt: skip
"""Protocols whose standard form encrypts the traffic."""

PLAINTEXT: frozenset[str] = frozenset(
    {
        "HTTP", "TFTP", "DHCP", "DNS", "NTP", "IPMI", "BGP", "SNMP", "SNMPV1", "SNMPV2C",
        "TELNET", "FTP", "SYSLOG", "LDAP", "SMTP", "WS", "RSH", "NFS", "ISCSI", "VXLAN",
    }
)  # fmt: skip
"""Application protocols that carry their payload in clear."""

TRANSPORT: frozenset[str] = frozenset({"TCP", "UDP", "SCTP", "IP", "ICMP"})
"""Transport-level names that say nothing about encryption."""


def is_encrypting(protocol: Protocol) -> bool:
    return any(part in ENCRYPTING for part in protocol.parts)


def is_plaintext(protocol: Protocol) -> bool:
    """Every named part is a plaintext protocol (``TCP/UDP`` is not: it names no payload)."""
    return bool(protocol.parts) and all(part in PLAINTEXT for part in protocol.parts)


def is_transport_only(protocol: Protocol) -> bool:
    return bool(protocol.parts) and all(part in TRANSPORT for part in protocol.parts)


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def names_encryption(text: str) -> bool:
    """Whether free text (a row's purpose or notes) names an encrypting protocol, as in
    "Machine Access (SSH)": then C on bare TCP is explained, not unnamed."""
    return any(word.upper() in ENCRYPTING for word in _WORD.findall(text))
