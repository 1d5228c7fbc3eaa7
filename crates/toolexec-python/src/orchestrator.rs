//! The supply-chain assistant for Python: `toolexec.supply_chain.Orchestrator`.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use tokio_util::sync::CancellationToken;
use toolexec_cli::assemble;

use crate::result::ToolExecutionResult;
use crate::runtime::wait;
use crate::stats;

/// Routes questions to the inventory, logistics and supplier agents over one shared
/// engine executor, as the orchestrator of the original design.
#[pyclass(module = "toolexec._native", frozen)]
pub(crate) struct Orchestrator {
    inner: Arc<supply_chain_agents::Orchestrator>,
}

/// The assistant's answer to one question.
#[pyclass(module = "toolexec._native", frozen)]
pub(crate) struct Answer {
    answer: supply_chain_agents::Answer,
}

fn unanswerable(e: supply_chain_agents::Unanswerable) -> PyErr {
    PyValueError::new_err(e.message)
}

#[pymethods]
impl Orchestrator {
    /// An assistant over the database at `database` (else `$TOOLEXEC_DB` or the user's
    /// data directory; created and seeded on first use).
    #[new]
    #[pyo3(signature = (database=None))]
    fn new(py: Python<'_>, database: Option<PathBuf>) -> PyResult<Self> {
        py.detach(|| {
            let path = database.unwrap_or_else(assemble::default_db_path);
            let store = assemble::open_store(&path)
                .map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))?;
            let inner = supply_chain_agents::Orchestrator::with_store(store)
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            Ok(Self {
                inner: Arc::new(inner),
            })
        })
    }

    /// Answers a question, blocking with the GIL released. A question the assistant
    /// cannot answer raises `ValueError` with what it can answer.
    fn ask(&self, py: Python<'_>, question: String) -> PyResult<Answer> {
        let inner = self.inner.clone();
        let cancel = CancellationToken::new();
        let answer = wait(py, &cancel, async move { inner.ask(&question).await })?;
        answer.map(|answer| Answer { answer }).map_err(unanswerable)
    }

    /// An awaitable of the answer, on the running asyncio loop.
    fn ask_async<'py>(&self, py: Python<'py>, question: String) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        let locals = pyo3_async_runtimes::tokio::get_current_locals(py)?;
        crate::awaitable::future_into_py(&locals.event_loop(py), async move {
            inner
                .ask(&question)
                .await
                .map(|answer| Answer { answer })
                .map_err(unanswerable)
        })
    }

    /// Statistics of every tool call the agents made.
    fn get_tool_execution_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats::execution(py, &self.inner.tool_execution_stats())
    }

    /// Statistics of one tool, None when no such tool is registered.
    fn get_tool_stats_by_name<'py>(
        &self,
        py: Python<'py>,
        name: &str,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        match self.inner.tool_stats(name) {
            Some(s) => stats::snapshot(py, &s).map(Some),
            None => Ok(None),
        }
    }
}

#[pymethods]
impl Answer {
    /// The question.
    #[getter]
    fn question(&self) -> &str {
        &self.answer.question
    }

    /// The answer as text: each agent's findings under its name.
    #[getter]
    fn text(&self) -> String {
        self.answer.text()
    }

    /// Each agent's structured findings: `agent`, `lines`, `tables` (title, columns,
    /// rows).
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for agent in &self.answer.agents {
            let dict = PyDict::new(py);
            dict.set_item("agent", &agent.agent)?;
            dict.set_item("lines", &agent.lines)?;
            let tables = pythonize::pythonize(py, &agent.tables)
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            dict.set_item("tables", tables)?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// Every tool call's result, agent by agent.
    #[getter]
    fn envelopes(&self) -> Vec<ToolExecutionResult> {
        self.answer
            .envelopes
            .iter()
            .map(|e| ToolExecutionResult::new(e.clone(), None))
            .collect()
    }

    /// Whether every tool call succeeded.
    #[getter]
    fn all_calls_succeeded(&self) -> bool {
        self.answer.all_calls_succeeded()
    }

    /// The whole answer as the CLI's `--json` document.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pythonize::pythonize(py, &self.answer).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    fn __str__(&self) -> String {
        self.answer.text()
    }

    fn __repr__(&self) -> String {
        format!(
            "Answer(question={:?}, calls={})",
            self.answer.question,
            self.answer.envelopes.len()
        )
    }
}
