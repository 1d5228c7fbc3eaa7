"""The documentation's examples, run as tests: the package docstring's doctest and
the README's Python section (its try-it line and its example)."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import toolexec
import toolexec.supply_chain

README = Path(__file__).resolve().parents[4] / "README.md"


def python_section() -> str:
    text = README.read_text()
    start = text.index("\n## Python")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def test_the_package_docstring_examples_run():
    for module in (toolexec, toolexec.supply_chain):
        failures, tried = doctest.testmod(module, raise_on_error=False, report=True)
        assert failures == 0
    assert doctest.testmod(toolexec)[1] > 0


def test_the_readme_try_it_line_runs():
    section = python_section()
    line = next(l for l in section.splitlines() if l.startswith("target/py-venv/bin/python -c"))
    code = shlex.split(line)[2]
    exec(compile(code, "README.md", "exec"), {})


def test_the_readme_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", python_section(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})
