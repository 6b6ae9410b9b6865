"""The inventory: which component or zone an observed address (and port, or Kubernetes
labels) is, from ``report.toml``'s ``[[zone]] networks`` and ``[[component]]`` entries.

An address maps to the components whose ``addresses`` hold it, the most specific network
first; where several components share an address, a server's port picks the one that lists
it under ``ports``. A Hubble endpoint's labels map to the components whose ``labels`` it all
carries. The zone is the component's ``zone``, else the zone whose ``networks`` hold the
address most specifically. An address neither holds is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address

from ..config import ComponentDef, Config, Network, fold


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An observed address as the inventory knows it."""

    address: str
    names: tuple[str, ...]
    """The inventory components it may be (more than one only where they share an address
    and no port tells them apart)."""
    zone: str | None

    @property
    def known(self) -> bool:
        return bool(self.names) or self.zone is not None

    @property
    def label(self) -> str:
        """The component(s), else the zone, else the address."""
        if self.names:
            return " | ".join(self.names)
        return self.zone if self.zone is not None else self.address


Side = tuple[str, str]
"""How a flow's source or destination is recognised: ``("component", name)`` when the
inventory lists the component, else ``("zone", name)``."""


@lru_cache(maxsize=8192)
def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


class Inventory:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._by_name = {fold(c.name): c for c in config.components if c.addresses or c.labels}
        """Components the inventory can find in traffic (others only carry assessment facts,
        such as a data store's kind)."""
        nets = [(net, zone.name) for zone in config.zones for net in zone.networks]
        self.zone_networks: list[tuple[Network, str]] = sorted(
            nets, key=lambda item: -item[0].prefixlen
        )
        self._observable = {zone for _, zone in nets} | {
            c.zone for c in self._by_name.values() if c.zone is not None
        }
        self._cache: dict[tuple[str, int | None, tuple[str, ...]], Endpoint] = {}

    def component(self, name: str) -> ComponentDef | None:
        return self._by_name.get(fold(name))

    def side(self, component: str, zone: str) -> Side:
        found = self.component(component)
        return ("component", found.name) if found is not None else ("zone", zone)

    def observable(self, side: Side) -> bool:
        """Whether traffic of this side can be recognised at all."""
        return side[0] == "component" or side[1] in self._observable

    def zone_of(self, address: str) -> str | None:
        addr = _address(address)
        if addr is None:
            return None
        for net, zone in self.zone_networks:
            if addr.version == net.version and addr in net:
                return zone
        return None

    def resolve(self, address: str, port: int | None, labels: tuple[str, ...] = ()) -> Endpoint:
        """The endpoint at ``address``; ``port`` is the server's port (None for a client),
        ``labels`` a Hubble endpoint's Kubernetes labels."""
        key = (address, port, labels)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(address, port, labels)
            self._cache[key] = found
        return found

    def _resolve(self, address: str, port: int | None, labels: tuple[str, ...]) -> Endpoint:
        chosen: list[ComponentDef] = []
        if labels:
            have = set(labels)
            scored = [
                (len(c.labels), c)
                for c in self._by_name.values()
                if c.labels and all(f"{k}={v}" in have for k, v in c.labels)
            ]
            best = max((s for s, _ in scored), default=0)
            chosen = [c for s, c in scored if s == best]
        addr = _address(address)
        if not chosen and addr is not None:
            ranked: list[tuple[tuple[int, int], ComponentDef]] = []
            for c in self._by_name.values():
                if c.ports and port is not None and port not in c.ports:
                    continue
                prefix = max(
                    (n.prefixlen for n in c.addresses if n.version == addr.version and addr in n),
                    default=-1,
                )
                if prefix >= 0:
                    ranked.append(((int(bool(c.ports) and port is not None), prefix), c))
            top = max((s for s, _ in ranked), default=None)
            chosen = [c for s, c in ranked if s == top]
        zone = next((c.zone for c in chosen if c.zone is not None), None)
        if zone is None:
            zone = self.zone_of(address)
        return Endpoint(address, tuple(c.name for c in chosen), zone)


def matches(names: tuple[str, ...], zone: str | None, side: Side) -> bool:
    """Whether an observed endpoint (its component names and zone) is a flow's documented
    source or destination."""
    kind, name = side
    return name in names if kind == "component" else zone == name
