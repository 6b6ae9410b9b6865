"""How parse time grows with the number of paragraphs and admonitions on a page.

The parser used to rescan every earlier token for each paragraph to know whether it stood
inside an admonition, which made a page of many paragraphs quadratic. This prints the time
for N and 4N paragraphs (each followed by a ``:::info`` admonition) before the shipped
matrix, and their ratio: about 4 when parsing is linear, 16 when it is quadratic.

    python benchmarks/paragraphs.py [N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen.parse import parse  # noqa: E402


def page(paragraphs: int) -> bytes:
    table = (ROOT / "source" / "communication-matrix.md").read_text(encoding="utf-8")
    body = "".join(
        f"Paragraph {i} of the introduction.\n\n:::info\nA note {i}.\n:::\n\n"
        for i in range(paragraphs)
    )
    return ("# Title\n\n" + body + table).encode("utf-8")


def best_of(data: bytes, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        parse(data, "bench.md")
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    small, large = best_of(page(n)), best_of(page(4 * n))
    print(
        f"{n} paragraphs: {small * 1000:.0f} ms; {4 * n}: {large * 1000:.0f} ms; "
        f"4x the paragraphs -> {large / small:.1f}x the time"
    )


if __name__ == "__main__":
    main()
