"""The architecture holds: each layer imports only the layers below it, the pure modules load neither Flask
nor Redis, and no module or function grows past what one reader takes in (issue 10's limits): the Python modules
and the Lua files of the check script alike."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dedupe"
#: Layer of each module (by dotted name prefix): a module may import only its own layer or lower ones.
LAYERS = {
    "dedupe.exceptions": 0, "dedupe.config": 0, "dedupe.metrics": 0, "dedupe.logs": 0,
    "dedupe.text": 1, "dedupe.normalise": 1, "dedupe.furniture": 1, "dedupe.fingerprint": 1, "dedupe.tokens": 1,
    "dedupe.alignment": 1,
    "dedupe.wire": 1, "dedupe.models": 2, "dedupe.metadata": 2,
    "dedupe.store": 3, "dedupe.service": 4, "dedupe.wiring": 5, "dedupe.web": 6, "dedupe.cli": 6,
    "dedupe.__main__": 7, "dedupe": 0,
}  # fmt: skip
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 40
#: Over the limits today, being reworked (issue 10): the list may only shrink (a stale entry fails too).
KNOWN_LONG: set[str] = set()


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out.append((name, path))
    return out


def _layer(name: str) -> int:
    best = max((k for k in LAYERS if name == k or name.startswith(k + ".")), key=len)
    return LAYERS[best]


def _imports(name: str, path: Path, source: str | None = None) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("dedupe")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
                found |= {target} if node.module else {f"{base}.{a.name}" for a in node.names}
            elif (node.module or "").startswith("dedupe"):
                found.add(node.module or "")
    return found


def _upward(name: str, imports: set[str]) -> list[str]:
    return [f"{name} (layer {_layer(name)}) imports {t} (layer {_layer(t)})"
            for t in sorted(imports) if t != "dedupe" and _layer(t) > _layer(name)]  # fmt: skip


def test_every_import_runs_down_the_layers():
    upward = [line for name, path in _modules() for line in _upward(name, _imports(name, path))]
    assert not upward, upward


def test_an_import_running_up_is_caught():
    """The check above can fail: the store reaching the service or the web layer is seen, relative or not."""
    index = PACKAGE / "store" / "index.py"
    assert {"dedupe.fingerprint", "dedupe.store.keys"} <= _imports("dedupe.store.index", index)
    for line in ("from ..web import errors", "from ..service import Deduplicator", "import dedupe.wiring"):
        assert _upward("dedupe.store.index", _imports("dedupe.store.index", index, line)), line
    assert not _upward("dedupe.web.api", _imports("dedupe.web.api", index, "from ..store import keys"))


@pytest.mark.parametrize(
    "modules", ["dedupe.text", "dedupe.fingerprint", "dedupe.models", "dedupe.config", "dedupe.exceptions"]
)
def test_pure_modules_load_neither_flask_nor_redis(modules: str):
    code = (
        f"import sys, {modules}; "
        "bad = sorted(m for m in ('flask', 'werkzeug', 'redis', 'prometheus_client') if m in sys.modules); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing {modules} loads {out.stdout.strip()}"


#: A Lua block opens with `function`, `if`, `do` (for, while) or `repeat`, and closes with `end` or `until`.
_LUA_OPENS = re.compile(r"\b(?:function|if|do|repeat)\b")
_LUA_CLOSES = re.compile(r"\b(?:end|until)\b")
_LUA_FUNCTION = re.compile(r"\bfunction\b\s*([\w.:]*)\s*\(")


def _lua_code(line: str) -> str:
    """A line of Lua without its string literals and its comment."""
    return re.sub(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", "''", line).split("--", 1)[0]


def _lua_functions(source: str) -> list[tuple[str, int, int | None]]:
    """(name, first line, length in lines) of each Lua function, read from the indentation: a function that does
    not close on its first line ends at the first later line as indented as its start, which must be its `end`
    (None when it is not: the code is not consistently indented). An anonymous function is named by its line."""
    lines = source.splitlines()
    found: list[tuple[str, int, int | None]] = []
    for i, line in enumerate(lines):
        code = _lua_code(line)
        for match in _LUA_FUNCTION.finditer(code):
            name = match.group(1) or f"function@{i + 1}"
            rest = code[match.start() :]
            if len(_LUA_CLOSES.findall(rest)) >= len(_LUA_OPENS.findall(rest)):
                found.append((name, i + 1, 1))  # opens and closes on this line
                continue
            indent = len(line) - len(line.lstrip())
            after = (j for j in range(i + 1, len(lines)) if _lua_code(lines[j]).strip())
            last = next((j for j in after if len(lines[j]) - len(lines[j].lstrip()) <= indent), None)
            closes = last is not None and lines[last][indent:].startswith("end") and not lines[last][:indent].strip()
            found.append((name, i + 1, last - i + 1 if closes and last is not None else None))
    return found


def _lua_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.lua"))


def _too_long() -> set[str]:
    found = set()
    for path in [p for _, p in _modules()] + _lua_files():
        where = str(path.relative_to(ROOT))
        if len(path.read_text().splitlines()) > MAX_MODULE_LINES:
            found.add(where)
        if path.suffix == ".lua":
            found |= {
                f"{where}:{name}" for name, _, n in _lua_functions(path.read_text()) if (n or 1e9) > MAX_FUNCTION_LINES
            }
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES:
                found.add(f"{where}:{node.name}")
    return found


def test_modules_and_functions_stay_short():
    found = _too_long()
    too_long = sorted(found - KNOWN_LONG)
    assert not too_long, f"over {MAX_MODULE_LINES} lines (a module) or {MAX_FUNCTION_LINES} (a function): {too_long}"
    assert not KNOWN_LONG - found, f"now short enough, remove from KNOWN_LONG: {KNOWN_LONG - found}"


def test_the_lua_scan_finds_the_script_functions():
    """The check above sees every function of the check script, its modes included, with its real length."""
    from dedupe.store import script

    assert {str(p.relative_to(PACKAGE / "store")) for p in _lua_files()} == set(script.PARTS)  # all in the script
    found = [(p.name, *f) for p in _lua_files() for f in _lua_functions(p.read_text())]
    lengths = {name: n for _, name, _, n in found}
    known = {
        "load", "save", "pad", "layout", "bucket_of", "band_keys", "band_get", "band_set", "unlink", "link",
        "index_url", "left_story", "remove", "purge", "cool", "stale", "delivered", "mark_delivered", "initialise",
        "rules", "read_article", "find_self", "candidates", "set_of", "shared", "query", "story_start",
        "equal_slots", "measure", "contained", "evidence_of", "in_time", "judge", "scored", "join_wire", "keep",
        "write", "stored", "delete_mode", "purge_mode", "answer", "check_mode",
    }  # fmt: skip
    assert known <= set(lengths), known - set(lengths)
    anonymous = sorted((file, n) for file, name, _, n in found if name.startswith("function@"))
    assert anonymous == [("article.lua", 1), ("score.lua", 5)]  # the two sort orders: candidates, matches
    keywords = sum(len(_LUA_FUNCTION.findall(_lua_code(x))) for p in _lua_files() for x in p.read_text().splitlines())
    assert len(found) == keywords  # every `function` keyword is a function found
    assert None not in lengths.values(), [name for name, n in lengths.items() if n is None]
    assert (lengths["pad"], lengths["load"], lengths["measure"], lengths["check_mode"]) == (1, 4, 22, 24)


def test_a_long_or_unclosed_lua_function_is_caught():
    body = "  local s = 'function f() end -- not code'\n" + "  x = x + 1\n" * 40
    source = f"local function long(x)\n{body}end\nlocal function short() return 1 end\n"
    source += "local t = { f = function(a)\n  return a\nend }\nlocal function unclosed()\n  return 1\nlocal y = 2\n"
    found = _lua_functions(source)
    assert found == [("long", 1, 43), ("short", 44, 1), ("function@45", 45, 3), ("unclosed", 48, None)]
    too_long = {name for name, _, n in found if (n or 1e9) > MAX_FUNCTION_LINES}
    assert too_long == {"long", "unclosed"}
