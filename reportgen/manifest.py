"""``manifest.json``: every output file of a build with its size and sha256."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .bundle import ReportData
from .render.json_ import dumps, source_record


class _File(Protocol):
    @property
    def format(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...


def manifest(data: ReportData, files: Sequence[tuple[str, _File]]) -> dict[str, Any]:
    return {
        "generator": data.build.generator,
        "release": data.build.release,
        "build_time": data.build.build_time.isoformat(),
        "document_id": data.config.document.document_id,
        "source": source_record(data),
        "ruleset_version": data.assessment.ruleset_version,
        "catalogue_version": data.assessment.catalogue_version,
        "files": [
            {"path": name, "format": f.format, "size": f.size, "sha256": f.sha256}
            for name, f in sorted(files, key=lambda item: item[0])
        ],
    }


def manifest_json(data: ReportData, files: Sequence[tuple[str, _File]]) -> bytes:
    return dumps(manifest(data, files))
