"""The judgements in report.toml that the assessment rests on, each named as an assumption
with its approval (an ``[[approval]]`` entry) or none.

Ids: ``trust-class:<zone>``, ``unknown-zone-class``, ``protection-need:<zone or component>``,
``protection-need:default``, ``datastore:<component>``, ``kubernetes:<zone>``.
"""

from __future__ import annotations

from ..config import Config
from ..model import Assumption
from ..vocabulary import PROTECTION_NEED_LABELS


def _approved(config: Config, aid: str, subject: str, value: str, statement: str) -> Assumption:
    approval = config.approval_of(aid)
    if approval is None:
        return Assumption(aid, subject, value, statement)
    return Assumption(aid, subject, value, statement, approval.name, approval.role, approval.date)


def assumptions(config: Config) -> tuple[Assumption, ...]:
    """Every assumption the configuration makes, in a stable order."""
    found: list[Assumption] = []
    for zone in config.zones:
        found.append(
            _approved(
                config,
                f"trust-class:{zone.name}",
                zone.name,
                zone.trust_class,
                f"Zone {zone.name!r} is of trust class {zone.trust_class}.",
            )
        )
    found.append(
        _approved(
            config,
            "unknown-zone-class",
            "zones not in the vocabulary",
            config.unknown_zone_class,
            f"A zone the configuration does not name is treated as {config.unknown_zone_class}.",
        )
    )
    need = config.default_protection_need
    found.append(
        _approved(
            config,
            "protection-need:default",
            "every zone and component without a declared need",
            need,
            f"The protection need (Schutzbedarf) is {PROTECTION_NEED_LABELS[need][0]} unless "
            "declared otherwise.",
        )
    )
    for zone in config.zones:
        if zone.protection_need:
            found.append(
                _approved(
                    config,
                    f"protection-need:{zone.name}",
                    zone.name,
                    zone.protection_need,
                    f"Zone {zone.name!r} has protection need "
                    f"{PROTECTION_NEED_LABELS[zone.protection_need][0]}.",
                )
            )
        if zone.kubernetes:
            found.append(
                _approved(
                    config,
                    f"kubernetes:{zone.name}",
                    zone.name,
                    "kubernetes",
                    f"Zone {zone.name!r} is a Kubernetes cluster.",
                )
            )
    for comp in config.components:
        if comp.protection_need:
            found.append(
                _approved(
                    config,
                    f"protection-need:{comp.name}",
                    comp.name,
                    comp.protection_need,
                    f"Component {comp.name!r} has protection need "
                    f"{PROTECTION_NEED_LABELS[comp.protection_need][0]}.",
                )
            )
        if comp.datastore:
            found.append(
                _approved(
                    config,
                    f"datastore:{comp.name}",
                    comp.name,
                    comp.datastore,
                    f"Component {comp.name!r} is a data store ({comp.datastore}).",
                )
            )
    return tuple(found)
