"""List the functions in geo/ over 60 lines of code or 8 parameters (the issue #16 limits).

Lines of code: from the ``def`` line to the function's last line, less its docstring.
Click commands (decorated with ``@main.command`` / ``@click.*``) are exempt from the
parameter limit. Exit status 1 when any function is over.

    python tools/function_sizes.py [geo]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_LINES, MAX_PARAMS = 60, 8


def _is_command(node: ast.AST) -> bool:
    for dec in getattr(node, "decorator_list", []):
        text = ast.unparse(dec)
        if ".command" in text or text.startswith("click.") or ".group" in text:
            return True
    return False


def oversized(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            lines = node.end_lineno - node.lineno + 1
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines -= body[0].end_lineno - body[0].lineno + 1
            args = node.args
            params = len(args.posonlyargs) + len(args.args) + len(args.kwonlyargs) \
                + (args.vararg is not None) + (args.kwarg is not None)
            if args.args and args.args[0].arg in ("self", "cls"):
                params -= 1
            if lines > MAX_LINES or (params > MAX_PARAMS and not _is_command(node)):
                found.append(f"{path}:{node.lineno}: {node.name}: {lines} lines, {params} parameters")
    return found


if __name__ == "__main__":
    rows = oversized(Path(sys.argv[1] if len(sys.argv) > 1 else "geo"))
    print("\n".join(rows) or "every function within the limits")
    sys.exit(1 if rows else 0)
