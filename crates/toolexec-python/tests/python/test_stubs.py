"""The type stubs ship with the package and describe what the package has."""

from __future__ import annotations

import ast
from pathlib import Path

import toolexec
import toolexec.supply_chain

PACKAGE = Path(toolexec.__file__).parent


def stub_classes(name: str) -> dict:
    tree = ast.parse((PACKAGE / name).read_text())
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            } | {
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
    return classes


def public(cls: type) -> set:
    return {n for n in dir(cls) if not n.startswith("_")}


def test_the_wheel_ships_py_typed_and_the_stubs():
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "__init__.pyi").exists()
    assert (PACKAGE / "supply_chain.pyi").exists()


def test_every_public_name_of_the_api_is_in_the_stubs_and_nothing_else():
    stubs = stub_classes("__init__.pyi")
    for cls in (toolexec.ToolExecutor, toolexec.ToolExecutionRequest, toolexec.ToolExecutionResult):
        assert public(cls) == {n for n in stubs[cls.__name__] if not n.startswith("_")}, cls
    members = {m.name for m in toolexec.ToolExecutionStatus}
    tree = ast.parse((PACKAGE / "__init__.pyi").read_text())
    status = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ToolExecutionStatus")
    assert members == {t.targets[0].id for t in status.body if isinstance(t, ast.Assign)}
    for name in toolexec.__all__:
        assert name in stubs or name == "__version__", name

    chain = stub_classes("supply_chain.pyi")
    for cls in (toolexec.supply_chain.Orchestrator, toolexec.supply_chain.Answer):
        assert public(cls) == {n for n in chain[cls.__name__] if not n.startswith("_")}, cls
