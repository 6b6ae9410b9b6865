"""OSCAL 1.2.1 JSON: the documentation review as assessment results, and the matrix's
components as a component definition, for compliance-trestle and the GRC tools that read OSCAL.

``assessment-results.json``
    One result: the review of the communication matrix at its release and commit (the source
    is a back-matter resource with its SHA-256). **Observations** are the documented flows,
    one each, with the row's location and flags. **Findings** are the controls in scope, one
    per documentation-review status (``findings.json``'s ``controls``), each with one target.
    **Risks** are the security findings, one each, with the triage file's decision.
``component-definition.json``
    Every source and destination named in the matrix, the flows it takes part in, and per
    catalog the controls whose documented flows it is part of.

Two choices are deliberate (see docs/oscal.md):

- Only ``contradicted`` sets an objective status (``not-satisfied``). OSCAL knows no state
  for "not contradicted by a desk review"; ``satisfied`` would claim the control is met,
  which documentation alone cannot show. The other statuses leave the state out and say what
  they are in a ``review-status`` prop of reportgen's namespace.
- The BSI's ISO/IEC 27001 Annex A catalog numbers its controls ``8.24``, which is not an
  OSCAL token (a token starts with a letter or ``_``), so no valid OSCAL document can use it
  as a ``control-id`` or ``target-id``. Annex A controls are written ``A.8.24`` there (the
  standard's usual citation); the catalog's own id is kept in a ``catalog-control-id`` prop.

Every UUID is a version 5 UUID of a stable id (``flow:<key>``, ``risk:<finding id>``,
``control:<framework>:<id>``, ``component:<name>``, …) under :data:`NAMESPACE`; the documents'
own UUIDs are derived from their content. Times are the build time. Same input, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..assess.catalogue import (
    CatalogDocument,
    Catalogue,
    grundschutz_index_source,
    oscal_catalogs,
)
from ..bundle import ReportData
from ..model import Assumption, ControlRef, ControlStatus, Finding, Flow
from ..ordering import natural_key
from ..vocabulary import CONTROL_STATUSES, GRUNDSCHUTZ, GSPP, ISO, framework_label
from . import Rendered, RenderOptions
from .json_ import dumps

OSCAL_VERSION = "1.2.1"
NAMESPACE = uuid.UUID("338731a2-7df0-5bf8-95e6-3a0061fd2e2f")
"""uuid5(NAMESPACE_URL, "urn:reportgen:oscal"): the namespace of every UUID written here."""
NS = "urn:reportgen:oscal"
"""The namespace of reportgen's own props (OSCAL's extension rule: a prop of ours has an ns)."""

RISK_STATUS: dict[str, str] = {
    "open": "open",
    "in-progress": "investigating",
    "mitigated": "closed",
    "accepted": "deviation-approved",
    "false-positive": "deviation-approved",
}
"""Triage status -> OSCAL risk status. An accepted or false-positive decision that has expired
is ``open`` again, as it is for ``assess --fail-on``. The triage status is kept in a prop."""

_TOKEN = re.compile(r"^[_A-Za-z][_A-Za-z0-9.\-]*$")


_NAMESPACE_BYTES = NAMESPACE.bytes


def uid(stable_id: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, stable_id))``, computed without the UUID object (35,000
    calls for the component definition at 1,000 flows)."""
    raw = bytearray(hashlib.sha1(_NAMESPACE_BYTES + stable_id.encode("utf-8")).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _time(value: datetime) -> str:
    """UTC, whole seconds, ``+00:00`` (the form trestle writes back, so a round trip through
    its models changes nothing)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _day(iso_date: str) -> str:
    """A triage date (``2027-03-31``) as OSCAL's date-time: midnight UTC."""
    return f"{iso_date}T00:00:00+00:00"


def _line(text: str) -> str:
    """A prop value: one line, no leading or trailing space (OSCAL's string type)."""
    return " ".join(text.split())


def prop(name: str, value: str, *, cls: str = "", remarks: str = "", ns: bool = True) -> Any:
    found: dict[str, Any] = {"name": name}
    if ns:
        found["ns"] = NS
    found["value"] = _line(value)
    if cls:
        found["class"] = cls
    if remarks:
        found["remarks"] = remarks
    return found


def _props(*items: tuple[str, str]) -> list[Any]:
    """Props of reportgen's namespace, leaving out empty values."""
    return [prop(n, v) for n, v in items if _line(v)]


def target_id(ref: ControlRef) -> str:
    """The OSCAL token for a control: the catalog's id where it is a token, ``A.<id>`` for an
    Annex A control (the BSI catalog's ``8.24`` is not a token)."""
    if ref.framework == ISO and not _TOKEN.match(ref.id):
        return f"A.{ref.id}"
    return ref.id


# --- shared references -----------------------------------------------------------------------


class _Refs:
    """UUIDs of the back-matter resources both documents cite."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.catalogs: dict[str, CatalogDocument] = {c.framework: c for c in oscal_catalogs()}
        self.source = uid(f"resource:source:{data.matrix.source.path}")
        self.ruleset = uid(f"resource:ruleset:{data.assessment.ruleset_version}")
        self.kompendium = uid("resource:catalog:grundschutz-2023")

    def catalog(self, framework: str) -> str:
        if framework == GRUNDSCHUTZ:
            return self.kompendium
        return uid(f"resource:catalog:{self.catalogs[framework].uuid}")

    def resources(self, with_source: bool) -> list[Any]:
        found = [self._source()] if with_source else []
        found.append(self._ruleset())
        found += [self._catalog(self.catalogs[f]) for f in (ISO, GSPP)]
        found.append(self._kompendium())
        return found

    def _source(self) -> Any:
        src = self.data.matrix.source
        resource: dict[str, Any] = {
            "uuid": self.source,
            "title": _line(self.data.matrix.title) or src.path,
            "description": "The communication matrix reviewed: the Markdown page as read.",
            "props": _props(
                ("release", self.data.build.release),
                ("repository", src.repository or ""),
                ("commit", src.commit or ""),
                ("commit-time", _time(src.commit_time) if src.commit_time else ""),
            ),
            "rlinks": [
                {
                    "href": src.path,
                    "media-type": "text/markdown",
                    "hashes": [{"algorithm": "SHA-256", "value": src.sha256}],
                }
            ],
        }
        if not resource["props"]:
            del resource["props"]
        return resource

    def _ruleset(self) -> Any:
        a = self.data.assessment
        return {
            "uuid": self.ruleset,
            "title": f"reportgen rule set {a.ruleset_version}",
            "description": (
                "The review's plan: reportgen's rules, each mapped to ISO/IEC 27001:2022 Annex A "
                "controls and IT-Grundschutz-Kompendium 2023 requirements with a rationale and a "
                "condition, applied to every documented flow. No separate OSCAL assessment plan "
                "is written; this resource stands for it."
            ),
            "props": _props(
                ("ruleset-version", a.ruleset_version),
                ("catalogue-version", a.catalogue_version),
                ("generator", self.data.build.generator),
            ),
        }

    def _catalog(self, c: CatalogDocument) -> Any:
        resource: dict[str, Any] = {
            "uuid": self.catalog(c.framework),
            "title": c.title,
            "description": (
                f"{framework_label(c.framework).name}: the BSI's OSCAL catalog (OSCAL "
                f"{c.oscal_version}, uuid {c.uuid}), shipped unmodified with reportgen as "
                f"reportgen/assess/data/{c.file}."
            ),
            "props": [
                prop("version", c.version, ns=False),
                *([prop("published", c.published, ns=False)] if c.published else []),
                prop("catalog-uuid", c.uuid),
                prop("licence", c.licence, remarks=c.licence_url),
            ],
        }
        if c.document_ids:
            resource["document-ids"] = [
                {"scheme": scheme, "identifier": ident} if scheme else {"identifier": ident}
                for scheme, ident in c.document_ids
            ]
        resource["citation"] = {
            "text": (
                f"Bundesamt für Sicherheit in der Informationstechnik (BSI), {c.title}, version "
                f"{c.version}. {c.licence} ({c.licence_url})."
            )
        }
        resource["rlinks"] = [
            {
                "href": c.url,
                "media-type": "application/json",
                "hashes": [{"algorithm": "SHA-256", "value": c.sha256}],
            }
        ]
        return resource

    def _kompendium(self) -> Any:
        src = grundschutz_index_source()
        return {
            "uuid": self.kompendium,
            "title": src.get("title", "") or framework_label(GRUNDSCHUTZ).name,
            "description": (
                "Not an OSCAL catalog: reportgen's index of the Kompendium's requirement ids, "
                f"titles and levels ({src['index_file']}), extracted from {src.get('file', '')}. "
                "Requirement ids are OSCAL tokens and are used as they are."
            ),
            "props": _props(
                ("source-sha256", src.get("sha256", "")),
                ("index-sha256", src["index_sha256"]),
            ),
        }

    def control_links(self, ref: ControlRef) -> list[Any]:
        return [{"href": f"#{self.catalog(ref.framework)}", "rel": "reference"}]


def _control_props(ref: ControlRef) -> list[Any]:
    found = [prop("framework", ref.framework)]
    if target_id(ref) != ref.id:
        found.append(prop("catalog-control-id", ref.id))
    return found


def _assumption_prop(a: Assumption) -> Any:
    if a.approved:
        approval = f"approved by {a.approved_by}" + (f" ({a.role})" if a.role else "")
        approval += f" on {a.approved_on}" if a.approved_on else ""
    else:
        approval = "not approved"
    return prop(
        "assumption",
        a.id,
        cls="approved" if a.approved else "unapproved",
        remarks=f"{a.statement} ({approval})",
    )


# --- assessment results ----------------------------------------------------------------------


def _flow_title(flow: Flow) -> str:
    return _line(f"Flow {flow.label}: {flow.component} → {flow.destination}")


def _components(data: ReportData) -> dict[str, tuple[list[str], list[str]]]:
    """Component name -> (keys of flows it is the source of, keys it is the destination of),
    in the matrix's order."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for flow in data.matrix.flows:
        for name, side in ((flow.component, 0), (flow.destination, 1)):
            name = _line(name)
            if name:
                found.setdefault(name, ([], []))[side].append(flow.key)
    return found


def component_uuid(name: str) -> str:
    return uid(f"component:{_line(name)}")


def tool_uuid(data: ReportData) -> str:
    """The tool (reportgen) as the actor of every observation, finding and risk."""
    return uid(f"tool:{data.build.generator.split()[0]}")


def _observation(flow: Flow, data: ReportData, refs: _Refs, collected: str) -> Any:
    where = str(flow.location)
    ports = flow.ports.text if flow.ports is not None else ""
    found = data.assessment.for_flow(flow.key)
    props = _props(
        ("flow-key", flow.key),
        ("flow-id", flow.id),
        ("section", flow.section),
        ("location", where),
        ("source-zone", flow.source_zone.name),
        ("destination-zone", flow.destination_zone.name),
        ("protocol", flow.protocol.text),
        ("port", ports),
        ("confidentiality", flow.confidentiality.label),
        ("integrity", flow.integrity.label),
        ("authentication", flow.authentication.label),
        ("trusted", flow.trusted.label),
        ("optional", "yes" if flow.optional else ""),
    ) + [prop("finding", f.id, cls=f.kind) for f in found]
    subjects = [
        {"subject-uuid": component_uuid(name), "type": "component"}
        for name in dict.fromkeys(_line(n) for n in (flow.component, flow.destination))
        if name
    ]
    description = (
        f"{flow.component} ({flow.source_zone.name}) → {flow.destination} "
        f"({flow.destination_zone.name}), {flow.protocol.text}"
        + (f" port {ports}" if ports else "")
        + f"; C {flow.confidentiality.label}, I {flow.integrity.label}, "
        f"Auth {flow.authentication.label}, Trust {flow.trusted.label}."
        + (f" Purpose: {flow.purpose}" if flow.purpose.strip() else "")
    )
    observation: dict[str, Any] = {
        "uuid": uid(f"flow:{flow.key}"),
        "title": _flow_title(flow),
        "description": description,
        "props": props,
        "methods": ["EXAMINE"],
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid(data)}]}],
    }
    if subjects:
        observation["subjects"] = subjects
    observation["relevant-evidence"] = [
        {"href": f"#{refs.source}", "description": f"The row at {where}."}
    ]
    observation["collected"] = collected
    if found:
        observation["remarks"] = "\n".join(
            f"- {f.id} ({f.severity.title}): {f.title}. {f.evidence}" for f in found
        )
    return observation


def _control_finding(cs: ControlStatus, refs: _Refs, risks: Mapping[str, str], tool: str) -> Any:
    ref = cs.control.ref
    label = framework_label(ref.framework)
    title = _line(f"{label.short} {ref.id} {cs.control.title}")
    meaning = CONTROL_STATUSES[cs.status]
    target: dict[str, Any] = {
        "type": "objective-id",
        "target-id": target_id(ref),
        "title": title,
        "description": f"Documentation review: {cs.status} ({meaning}).",
        "props": [*_control_props(ref), prop("review-status", cs.status)],
        "links": refs.control_links(ref),
    }
    if cs.status == "contradicted":
        target["status"] = {"state": "not-satisfied", "reason": "fail", "remarks": cs.reason}
    else:
        target["remarks"] = (
            f"{cs.reason[:1].upper()}{cs.reason[1:]}. No objective status is stated: a review "
            "of documentation can show a contradiction, never that a control is satisfied."
        )
    gspp = Catalogue.gspp_for([ref])
    props = [
        prop("review-status", cs.status),
        *([prop("level", cs.control.level)] if cs.control.level else []),
        *[prop("gspp-control", g.id, remarks="derived through the BSI's mapping") for g in gspp],
        *[prop("finding", f) for f in cs.findings],
        *[prop("not-assessable-flow", k) for k in cs.unassessed],
    ]
    finding: dict[str, Any] = {
        "uuid": uid(f"control:{ref.framework}:{ref.id}"),
        "title": title,
        "description": f"{cs.reason[:1].upper()}{cs.reason[1:]}.",
        "props": props,
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool}]}],
        "target": target,
    }
    if cs.flows:
        finding["related-observations"] = [{"observation-uuid": uid(f"flow:{k}")} for k in cs.flows]
    related = [{"risk-uuid": risks[f]} for f in cs.findings if f in risks]
    if related:
        finding["related-risks"] = related
    return finding


def _risk(f: Finding, data: ReportData, tool: str) -> Any:
    t = f.triage
    today = data.assessment.today
    expired = t.expired(today)
    status = "open" if expired else RISK_STATUS.get(t.status, "open")
    refs = [*f.controls, *f.gspp]
    props = [
        prop("finding-id", f.id),
        prop("rule", f.rule),
        prop("severity", f.severity.value),
        prop("flow-key", f.flow_key),
        prop("location", str(f.location)),
        *[
            prop(
                {ISO: "iso27001-control", GRUNDSCHUTZ: "grundschutz-requirement"}.get(
                    r.framework, "gspp-control"
                ),
                r.id,
            )
            for r in refs
        ],
        *[prop("assumption", a) for a in f.assumptions],
        prop("triage-status", t.status, remarks="expired" if expired else ""),
        *_props(
            ("owner", t.owner),
            ("ticket", t.ticket),
            ("decided-by", t.decided_by),
            ("decided-on", t.decided_on),
            ("expires", t.expires),
        ),
    ]
    facets = [
        {"name": "severity", "system": NS, "value": f.severity.value},
        *([{"name": "exposure", "system": NS, "value": f.exposure}] if f.exposure else []),
        *(
            [{"name": "protection-need", "system": NS, "value": f.protection_need}]
            if f.protection_need
            else []
        ),
    ]
    risk: dict[str, Any] = {
        "uuid": uid(f"risk:{f.id}"),
        "title": _line(f"{f.title} ({f.id})"),
        "description": f.evidence,
        "statement": (
            f"{f.severity.title} severity under reportgen's scheme (exposure "
            f"{f.exposure or 'n/a'} x protection need {f.protection_need or 'n/a'}) on flow "
            f"{f.flow_id or f.flow_key}, documented at {f.location}."
        ),
        "props": props,
        "status": status,
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool}]}],
        "characterizations": [
            {"origin": {"actors": [{"type": "tool", "actor-uuid": tool}]}, "facets": facets}
        ],
    }
    if t.due:
        risk["deadline"] = _day(t.due)
    risk["remediations"] = [
        {
            "uuid": uid(f"remediation:{f.id}"),
            "lifecycle": "recommendation",
            "title": f"Recommendation for {f.id}",
            "description": f.recommendation,
        }
    ]
    if t.decided_on:
        entry: dict[str, Any] = {
            "uuid": uid(f"risk-log:{f.id}"),
            "title": f"Triage decision: {t.status}",
            "description": t.justification or f"Status set to {t.status}.",
            "start": _day(t.decided_on),
            "props": _props(("decided-by", t.decided_by), ("triage-status", t.status)),
        }
        if not entry["props"]:
            del entry["props"]
        entry["status-change"] = RISK_STATUS.get(t.status, "open")
        risk["risk-log"] = {"entries": [entry]}
    risk["related-observations"] = [{"observation-uuid": uid(f"flow:{f.flow_key}")}]
    return risk


def _system_components(data: ReportData) -> list[Any]:
    found = []
    for name, (outgoing, incoming) in _components(data).items():
        found.append(
            {
                "uuid": component_uuid(name),
                "type": "service",
                "title": name,
                "description": _component_description(name, outgoing, incoming),
                "props": _flow_props(outgoing, incoming),
                "status": {
                    "state": "other",
                    "remarks": "The communication matrix does not state the operational status.",
                },
            }
        )
    return found


def _component_description(name: str, outgoing: list[str], incoming: list[str]) -> str:
    return (
        f"{name}, as named in the communication matrix: source of {len(outgoing)} and "
        f"destination of {len(incoming)} documented flow(s)."
    )


def _flow_props(outgoing: list[str], incoming: list[str]) -> list[Any]:
    return [prop("flow", k, cls="source") for k in outgoing] + [
        prop("flow", k, cls="destination") for k in incoming
    ]


def _tool(data: ReportData) -> Any:
    return {
        "uuid": tool_uuid(data),
        "type": "software",
        "title": data.build.generator,
        "description": (
            "The tool that parsed, validated and assessed the communication matrix and wrote "
            "this document."
        ),
        "status": {"state": "operational"},
    }


def _metadata(data: ReportData, title: str, remarks: str) -> dict[str, Any]:
    src = data.matrix.source
    return {
        "title": title,
        "last-modified": _time(data.build.build_time),
        "version": data.build.release or f"sha256-{src.sha256[:12]}",
        "oscal-version": OSCAL_VERSION,
        "props": _props(
            ("generator", data.build.generator),
            ("release", data.build.release),
            ("source-sha256", src.sha256),
            ("commit", src.commit or ""),
            ("ruleset-version", data.assessment.ruleset_version),
        ),
        "remarks": remarks,
    }


def _drop_empty(item: dict[str, Any]) -> None:
    """OSCAL's lists hold at least one item: leave out those a small matrix leaves empty."""
    for key in [k for k, v in item.items() if v is None or v == []]:
        del item[key]


def _with_uuid(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The document with its uuid first: a uuid5 of its content, so that any change to what it
    says gives a new document uuid and the same content the same one."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    return {kind: {"uuid": uid(f"{kind}:{digest}"), **body}}


def assessment_results(data: ReportData) -> dict[str, Any]:
    a = data.assessment
    refs = _Refs(data)
    when = _time(data.build.build_time)
    tool = tool_uuid(data)
    security = [f for f in a.findings if f.kind == "security"]
    risks = {f.id: uid(f"risk:{f.id}") for f in security}
    release = data.build.release or "unreleased"
    title = _line(f"Documentation review of {data.matrix.title or data.matrix.source.path}")
    unapproved = sum(1 for x in a.assumptions if not x.approved)
    result: dict[str, Any] = {
        "uuid": uid(f"result:{data.matrix.source.path}:{release}"),
        "title": _line(f"{title}, {release}"),
        "description": (
            f"A desk review of the communication matrix {data.matrix.source.path} "
            f"(release {release}"
            + (f", commit {data.matrix.source.commit}" if data.matrix.source.commit else "")
            + f", SHA-256 {data.matrix.source.sha256}) against reportgen's rule set "
            f"{a.ruleset_version}. Each finding is one control or requirement in scope with "
            "its documentation-review status; a contradiction is stated as not-satisfied, and "
            "no control is stated as satisfied. Observations are the documented flows; risks "
            "are the security findings with their triage decisions."
        ),
        "start": when,
        "end": when,
        "props": [
            *[_assumption_prop(x) for x in a.assumptions],
            prop("unapproved-assumptions", str(unapproved)),
        ],
        "local-definitions": {
            "components": _system_components(data) or None,
            "assessment-assets": {
                "components": [_tool(data)],
                "assessment-platforms": [
                    {
                        "uuid": uid(f"platform:{data.build.generator}"),
                        "title": data.build.generator,
                        "uses-components": [{"component-uuid": tool}],
                    }
                ],
            },
        },
        "reviewed-controls": {
            "description": (
                "The controls and requirements the rule set maps to; each is a finding below."
            ),
            "control-selections": [{"include-all": {}}],
        },
        "observations": [_observation(f, data, refs, when) for f in data.matrix.flows] or None,
    }
    if security:
        result["risks"] = [_risk(f, data, tool) for f in security]
    if a.control_status:
        result["findings"] = [_control_finding(cs, refs, risks, tool) for cs in a.control_status]
    _drop_empty(result)
    _drop_empty(result["local-definitions"])
    body = {
        "metadata": _metadata(
            data,
            title,
            "Written by reportgen from the communication matrix. A documentation review finds "
            "contradictions in what is documented; it never states that a control is met.",
        ),
        "import-ap": {
            "href": f"#{refs.ruleset}",
            "remarks": "No OSCAL assessment plan exists; the plan is reportgen's rule set.",
        },
        "results": [result],
        "back-matter": {"resources": refs.resources(with_source=True)},
    }
    return _with_uuid("assessment-results", body)


# --- component definition --------------------------------------------------------------------


def _implementations(
    name: str,
    flows: set[str],
    statuses: Iterable[ControlStatus],
    refs: _Refs,
    order: Mapping[str, int],
) -> list[Any]:
    """Per catalog, the controls in whose scope a documented flow of ``name`` is."""
    # Ordered sets (dicts): flows, findings and the controls a requirement is mapped from,
    # each in the order first met.
    by_framework: dict[
        str, dict[str, tuple[dict[str, None], dict[str, None], dict[ControlRef, None]]]
    ] = {}
    assessment = refs.data.assessment
    for cs in statuses:
        mine = [k for k in cs.flows if k in flows]
        if not mine:
            continue
        against = [
            f.id
            for k in mine
            for f in assessment.for_flow(k)
            if f.id in cs.findings and f.kind != "not-assessed"
        ]
        entries: list[tuple[ControlRef, list[ControlRef]]] = [(cs.control.ref, [])]
        entries += [(g, [cs.control.ref]) for g in Catalogue.gspp_for([cs.control.ref])]
        for ref, via in entries:
            slot = by_framework.setdefault(ref.framework, {}).setdefault(ref.id, ({}, {}, {}))
            slot[0].update(dict.fromkeys(mine))
            slot[1].update(dict.fromkeys(against))
            slot[2].update(dict.fromkeys(via))
    found = []
    for framework in (ISO, GRUNDSCHUTZ, GSPP):
        controls = by_framework.get(framework)
        if not controls:
            continue
        label = framework_label(framework)
        ids = sorted(controls, key=natural_key)
        found.append(
            {
                "uuid": uid(f"implementation:{name}:{framework}"),
                "source": f"#{refs.catalog(framework)}",
                "description": (
                    f"{label.name}: the controls in whose scope the communication matrix "
                    f"documents flows of {name}. This records what is documented, not that a "
                    "control is implemented."
                ),
                "implemented-requirements": [
                    _requirement(
                        name,
                        ControlRef(framework, cid),
                        list(controls[cid][0]),
                        list(controls[cid][1]),
                        list(controls[cid][2]),
                        order=order,
                    )
                    for cid in ids
                ],
            }
        )
    return found


def _requirement(
    name: str,
    ref: ControlRef,
    flows: list[str],
    findings: list[str],
    via: list[ControlRef],
    *,
    order: Mapping[str, int],
) -> Any:
    """One control of one component. A Grundschutz++ control derived through the BSI's
    mappings names the controls it comes from (``mapped-from``) instead of repeating their
    flows as props; its description lists them."""
    flows = sorted(flows, key=order.__getitem__)
    text = f"Documented flows of {name} in this control's scope: {', '.join(flows)}."
    if via:
        text += (
            " In scope through the BSI's mapping from "
            + ", ".join(f"{framework_label(v.framework).short} {v.id}" for v in via)
            + "."
        )
    if findings and via:
        text += (
            f" Findings on these flows contradict the controls it is mapped from: "
            f"{', '.join(findings)}."
        )
    elif findings:
        text += f" Findings on these flows contradict it: {', '.join(findings)}."
    props = [prop("catalog-control-id", ref.id)] if target_id(ref) != ref.id else []
    if via:
        props += [prop("mapped-from", v.id, cls=v.framework) for v in via]
    else:
        props += [prop("flow", k) for k in flows]
    props += [prop("finding", f) for f in findings]
    requirement: dict[str, Any] = {
        "uuid": uid(f"requirement:{name}:{ref.framework}:{ref.id}"),
        "control-id": target_id(ref),
        "description": text,
    }
    if props:
        requirement["props"] = props
    return requirement


def component_definition(data: ReportData) -> dict[str, Any]:
    refs = _Refs(data)
    order = {flow.key: i for i, flow in enumerate(data.matrix.flows)}
    components = []
    for name, (outgoing, incoming) in _components(data).items():
        component: dict[str, Any] = {
            "uuid": component_uuid(name),
            "type": "service",
            "title": name,
            "description": _component_description(name, outgoing, incoming),
            "props": _flow_props(outgoing, incoming),
        }
        implementations = _implementations(
            name, set(outgoing) | set(incoming), data.assessment.control_status, refs, order
        )
        if implementations:
            component["control-implementations"] = implementations
        components.append(component)
    title = _line(f"Components of {data.matrix.title or data.matrix.source.path}")
    body: dict[str, Any] = {
        "metadata": _metadata(
            data,
            title,
            "Every source and destination named in the communication matrix, the flows it "
            "takes part in, and per catalog the controls in whose scope those flows are. The "
            "component type is `service` throughout: the matrix does not say what a component "
            "is.",
        ),
    }
    if components:
        body["components"] = components
    body["back-matter"] = {"resources": refs.resources(with_source=False)}
    return _with_uuid("component-definition", body)


def render(data: ReportData, options: RenderOptions) -> Rendered:
    return {
        "assessment-results.json": dumps(assessment_results(data)),
        "component-definition.json": dumps(component_definition(data)),
    }
