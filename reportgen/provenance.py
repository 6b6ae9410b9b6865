"""Where a source comes from, asked of git when the source sits in a checkout.

Degrades cleanly: no git, not a checkout, an untracked file or a slow git all give ``None``.
Credentials in a remote URL are never recorded.
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
        repository=strip_credentials(remote) if remote else None,
        commit=commit,
        commit_time=when,
        tag=_tag(folder, "HEAD") or _tag(folder, commit),
    )


def _tag(folder: Path, commit: str) -> str | None:
    tags = _git(folder, "tag", "--points-at", commit, "--sort=version:refname")
    return tags.splitlines()[0] if tags else None
