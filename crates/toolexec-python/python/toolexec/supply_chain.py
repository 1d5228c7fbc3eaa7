"""The supply-chain assistant from Python.

>>> from toolexec.supply_chain import Orchestrator
>>> assistant = Orchestrator()                                        # doctest: +SKIP
>>> answer = assistant.ask("Which SKUs in WH001 must be reordered now?")  # doctest: +SKIP
>>> print(answer.text)                                                 # doctest: +SKIP

``ask`` routes the question to the inventory, logistics and supplier agents that serve
it; they run their tool calls in parallel on one shared Rust executor. The answer has
the text, each agent's structured findings and every call's result.
"""

from __future__ import annotations

from ._native import Answer, Orchestrator

__all__ = ["Orchestrator", "Answer"]
