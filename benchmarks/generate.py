"""Synthetic communication matrices of a chosen size, shaped like the metal-stack page.

    python benchmarks/generate.py 1000 > /tmp/matrix-1000.md

Flows are spread over five sections in the page's proportions (52:9:13:3:6), with cell
lengths, zones, protocols and flag patterns drawn from the real page by a seeded generator,
so the same size always gives the same file.
"""

from __future__ import annotations

import random
import sys

SECTIONS = (
    ("Plain metal-stack", "", 52),
    ("With SONiC", "S", 9),
    ("With Gardener", "G", 13),
    ("With Cluster API", "C", 3),
    ("With Lightbits", "L", 6),
)
ZONES = (
    "Internet",
    "unknown",
    "Metal Control Plane",
    "Partition Management",
    "Machine",
    "Switches",
    "Firewall",
    "Seed Cluster",
    "Shoot Cluster",
    "Lightbits Cluster",
)
PROTOCOLS = (("HTTPS", "443"), ("TCP", "5432"), ("HTTP", "9090"), ("TLS", "4150"),
             ("DNS", "53"), ("DHCP", "67/68"), ("SSH", "22"), ("BGP", "179"),
             ("TCP/UDP", "30000-32767"))  # fmt: skip
COMPONENTS = ("metal-api", "metal-apiserver", "backup-restore-sidecar", "metal-bmc",
              "metal-hammer", "firewall-controller-manager", "gardener-extension-provider-metal",
              "lb-csi-controller", "machine OS", "prometheus")  # fmt: skip
PURPOSES = ("API Requests", "Database access", "Machine Operation", "Monitoring",
            "Authentication & Authorization", "Backup & Restore")  # fmt: skip
NOTES = ("Used for management operations.", "Optional. Needs to be configured.",
         "Logging of auditing events. Used for compliance.",
         "Used to resolve hostnames.")  # fmt: skip
FLAGS = (("x", "x", "x", "x"), ("x", "x", "x", ""), ("", "", "x", "x"), ("?", "?", "?", "?"),
         ("", "", "", "x"), ("x", "x", "", ""))  # fmt: skip

HEADER = (
    "| No. | Component | Source Zone | Protocol | Destination | Destination Zone | Port "
    "| C | I | Auth | Trust | Purpose | Notes |\n"
    "| --- | --- | --- | :-: | --- | --- | :-: | :-: | :-: | :-: | :-: | --- | --- |\n"
)
LEGEND = """**Legend**:

- `C`: Confidentiality, cryptography, encryption. Marked with an `x` if encrypted.
- `I`: Integrity of data. Marked with an `x` if the communication ensures data integrity.
- `Auth`: Authentication. Marked with an `x` if authentication is required.
- `Trust`: Only trusted networks involved. Marked with an `x` if so.
"""


def generate(flows: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    # Distinct destinations grow with the matrix (about one per 20 flows, at least 50), so
    # every size has the same density of repeated destinations and thus of diagnostics.
    destinations = max(50, flows // 20)
    weight = sum(n for _t, _p, n in SECTIONS)
    counts = [max(1, flows * n // weight) for _t, _p, n in SECTIONS]
    counts[0] += flows - sum(counts)
    parts = [f"# Communication Matrix ({flows} flows)\n\nA synthetic matrix.\n\n{LEGEND}"]
    for (title, prefix, _n), count in zip(SECTIONS, counts, strict=True):
        parts.append(f"\n## {title}\n\nFlows of this integration.\n\n{HEADER}")
        for i in range(count):
            major, minor = divmod(i, 9)
            protocol, port = rng.choice(PROTOCOLS)
            c, integ, auth, trust = rng.choice(FLAGS)
            row = (
                f"{prefix}{major + 1}.{minor + 1}",
                rng.choice(COMPONENTS),
                rng.choice(ZONES),
                protocol,
                f"{rng.choice(COMPONENTS)}-{rng.randrange(destinations)}",
                rng.choice(ZONES),
                port,
                c,
                integ,
                auth,
                trust,
                rng.choice(PURPOSES),
                rng.choice(NOTES),
            )
            parts.append("| " + " | ".join(row) + " |\n")
        parts.append(
            "\n### Used Technologies\n\n| Technology | Parties | Notes |\n| --- | --- | --- |\n"
            "| HTTPS | Multiple | Cross-network communication. |\n"
        )
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
