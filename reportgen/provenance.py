"""Where a source comes from, asked of git when the source sits in a checkout.

Degrades cleanly: no git, not a checkout, an untracked file or a slow git all give ``None``.
No path of the build machine reaches an output: the source is named relative to its
repository's root (or by its file name outside a checkout), and the repository is its
remote's URL without credentials, or nothing when the remote is a local path.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class GitProvenance:
    repository: str | None
    commit: str
    commit_time: datetime
    tag: str | None = None
    """A tag whose tree holds this very source: one on HEAD (the source is unmodified there),
    else one on the commit that last touched it; the first in version order."""


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def strip_credentials(url: str) -> str:
    """``https://user:token@host/x`` -> ``https://host/x``."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url)


def source_path(source: Path) -> str:
    """The source's name in every output: relative to the root of the git checkout it sits
    in (the same whether SOURCE was typed relative or absolute, from inside the checkout or
    outside it); outside a checkout, relative to the working folder when below it, else its
    file name."""
    resolved = source.resolve()
    for root in (_git(resolved.parent, "rev-parse", "--show-toplevel"), str(Path.cwd())):
        if root:
            try:
                return resolved.relative_to(Path(root).resolve()).as_posix()
            except ValueError:
                continue
    return resolved.name


_NETWORK_URL = re.compile(r"^(?:(?:https?|ssh|git)://[^/\s]+/|[\w.-]+@[\w.-]+:(?!/))\S+$")
"""A remote others can reach: ``https://host/...``, ``ssh://...``, ``git@host:org/repo``."""


def public_remote(url: str) -> str | None:
    """The remote's URL without credentials, or ``None`` for a local path or file URL (a
    path on the build machine tells a reader nothing and leaks the machine's layout)."""
    stripped = strip_credentials(url.strip())
    return stripped if _NETWORK_URL.match(stripped) else None


def git_provenance(source: Path) -> GitProvenance | None:
    """The last commit that touched ``source``, its time, and the origin remote."""
    folder = source.resolve().parent
    if not folder.is_dir():
        return None
    if _git(folder, "status", "--porcelain", "--", source.name):
        return None  # modified or untracked: the commit would not describe this content
    line = _git(folder, "log", "-1", "--format=%H %ct", "--", source.name)
    if not line:
        return None
    commit, _, stamp = line.partition(" ")
    try:
        when = datetime.fromtimestamp(int(stamp), UTC)
    except ValueError:
        return None
    remote = _git(folder, "remote", "get-url", "origin")
    return GitProvenance(
        repository=public_remote(remote) if remote else None,
        commit=commit,
        commit_time=when,
        tag=_tag(folder, "HEAD") or _tag(folder, commit),
    )


def _tag(folder: Path, commit: str) -> str | None:
    tags = _git(folder, "tag", "--points-at", commit, "--sort=version:refname")
    return tags.splitlines()[0] if tags else None
