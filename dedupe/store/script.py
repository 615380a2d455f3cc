"""The check script's text: one Lua body from several files, joined in a fixed order.

Redis sees one script (one EVAL/EVALSHA body, so one atomic step per article, and one SHA that index.py and
cluster.py load again after NOSCRIPT). The files are split by concern only: check.lua is the head (what the
script does, its keys, the record, its arguments) and each part may use only the locals of the parts before it.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
#: The parts in the order they are joined: the head first, the modes and the dispatch last.
PARTS = (
    "check.lua", "lua/bands.lua", "lua/remove.lua", "lua/events.lua", "lua/article.lua", "lua/score.lua",
    "lua/write.lua", "lua/modes.lua",
)  # fmt: skip


def source(parts: tuple[str, ...] = PARTS) -> str:
    """The parts joined, each after a comment naming its file (a reader of the script sees where it came from)."""
    out = []
    for name in parts:
        text = (HERE / name).read_text()
        out.append(f"-- {name}\n{text}" + ("" if text.endswith("\n") else "\n"))
    return "".join(out)


SCRIPT = source()
