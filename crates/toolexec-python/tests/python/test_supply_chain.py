"""The supply-chain assistant from Python."""

from __future__ import annotations

import pytest

from toolexec import ToolExecutionStatus
from toolexec.supply_chain import Orchestrator


def test_ask_returns_the_text_the_findings_and_every_envelope():
    assistant = Orchestrator()
    answer = assistant.ask("Which SKUs in WH001 must be reordered now?")
    assert "WH001" in answer.text
    assert answer.findings and answer.findings[0]["agent"]
    assert answer.findings[0]["lines"]
    assert answer.envelopes
    assert all(e.status is ToolExecutionStatus.SUCCESS for e in answer.envelopes)
    assert answer.all_calls_succeeded
    assert answer.to_dict()["question"] == "Which SKUs in WH001 must be reordered now?"

    stats = assistant.get_tool_execution_stats()
    assert stats["total_executions"] == len(answer.envelopes)
    name = answer.envelopes[0].tool_name
    assert assistant.get_tool_stats_by_name(name)["total_executions"] >= 1
    assert assistant.get_tool_stats_by_name("no_such_tool") is None


@pytest.mark.asyncio
async def test_ask_async_answers_on_the_running_loop():
    answer = await Orchestrator().ask_async("Which carrier should ship 800 kg over 450 km?")
    assert answer.text


def test_a_question_it_cannot_answer_raises_value_error_with_help():
    with pytest.raises(ValueError, match="I can answer"):
        Orchestrator().ask("What is the meaning of life?")
