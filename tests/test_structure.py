"""The package's layering: no import cycles, and loading a model to sample never imports the trainer."""
import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "ganforge"


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: pathlib.Path, modules: dict) -> set[str]:
    """Every ganforge module ``name`` imports, at the top or inside functions, with the packages whose
    ``__init__`` such an import runs (except ``name``'s own, which are already running)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            origin = ".".join(base + ([node.module] if node.module else []))
            targets |= {f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin for a in node.names}
        elif isinstance(node, ast.Import):
            targets |= {a.name for a in node.names}
    out = set()
    for target in targets:
        while target not in modules and "." in target:
            target = target.rpartition(".")[0]
        if target not in modules or not target.startswith("ganforge"):
            continue
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a, a.b, then a.b.c
            step = ".".join(parts[:i])
            if step in modules and step != name and not (name + ".").startswith(step + "."):
                out.add(step)
    return out


def test_no_module_imports_one_that_imports_it():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    cycles = []

    def visit(name, stack, state):
        state[name] = "open"
        for nxt in sorted(graph[name]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt], state)
        state[name] = "done"

    state: dict = {}
    for name in sorted(graph):
        if name not in state:
            visit(name, [name], state)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_loading_and_sampling_import_nothing_of_the_trainer():
    data = pathlib.Path(__file__).parent / "fixtures" / "export_v1"
    code = (f"import sys, ganforge.pretrained, ganforge\n"
            f"G = ganforge.load({str(data)!r}); G.sample(n=2, seed=0)\n"
            f"print(sorted(m for m in sys.modules if m.startswith(('ganforge.training', 'ganforge.distributed', "
            f"'ganforge.liveness', 'ganforge.loss.objective'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
