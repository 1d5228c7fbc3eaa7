//! [`Executor`]: one Rust engine executor behind Python's `ToolExecutor`.
//!
//! Tools are fixed when the engine executor is built, so it is built on the first call
//! (or by `start()`), after the Python tools are registered; registering later is an
//! error.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use dashmap::DashMap;
use parking_lot::Mutex;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3_async_runtimes::TaskLocals;
use tokio_util::sync::CancellationToken;
use toolexec::{
    BatchOptions, FailureMode, Fallback, PolicyOverrides, Tool, ToolAnnotations, ToolCall,
    ToolOptions, ToolSpec,
};

use crate::convert::{to_json, to_py};
use crate::feeding::{LoopEntry, Starting};
use crate::loop_queue::LoopQueue;
use crate::py_tool::{Loops, PyTool};
use crate::request::ToolExecutionRequest;
use crate::result::ToolExecutionResult;
use crate::runtime::{runtime, wait, wait_for};
use crate::settings::{duration, Settings};
use crate::stats;

/// Distinguishes the generated call ids of executors in one process.
static EXECUTORS: AtomicU64 = AtomicU64::new(0);

/// The engine executor behind `toolexec.ToolExecutor`.
#[pyclass(module = "toolexec._native", frozen)]
pub(crate) struct Executor {
    settings: Settings,
    /// Python tools registered before the build.
    pending: Mutex<Vec<(Arc<dyn Tool>, ToolOptions)>>,
    built: OnceLock<toolexec::Executor>,
    build_lock: Mutex<()>,
    loops: Loops,
    /// The `async def` tools registered: only calls to them record their loop.
    async_tools: Mutex<Arc<HashSet<String>>>,
    id_prefix: String,
    next_id: AtomicU64,
}

/// A call's request converted, with what the result carries back.
pub(crate) struct Prepared {
    pub(crate) call: ToolCall,
    pub(crate) metadata: Py<PyAny>,
}

impl Executor {
    fn engine(&self, py: Python<'_>) -> PyResult<&toolexec::Executor> {
        if let Some(engine) = self.built.get() {
            return Ok(engine);
        }
        py.detach(|| {
            let _building = self.build_lock.lock();
            if self.built.get().is_none() {
                let extra = std::mem::take(&mut *self.pending.lock());
                let engine = self.settings.build(extra)?;
                let _ = self.built.set(engine);
            }
            Ok::<_, PyErr>(())
        })?;
        self.built
            .get()
            .ok_or_else(|| PyRuntimeError::new_err("the executor could not be built"))
    }

    pub(crate) fn prepare(
        &self,
        py: Python<'_>,
        request: &ToolExecutionRequest,
    ) -> PyResult<Prepared> {
        let call = request.to_call(py, || {
            let n = self.next_id.fetch_add(1, Ordering::Relaxed);
            format!("{}{n}", self.id_prefix)
        })?;
        Ok(Prepared {
            call,
            metadata: request.metadata.clone_ref(py),
        })
    }

    fn batch_options(
        timeout: Option<f64>,
        max_concurrency: Option<usize>,
        fail_fast: bool,
        cancel: Option<CancellationToken>,
    ) -> PyResult<BatchOptions> {
        let mut options = BatchOptions::default();
        if let Some(deadline) = duration("timeout", timeout)? {
            options = options.with_deadline(deadline);
        }
        if let Some(limit) = max_concurrency {
            options = options.with_max_concurrency(limit);
        }
        if fail_fast {
            options = options.with_failure_mode(FailureMode::FailFast);
        }
        if let Some(cancel) = cancel {
            options = options.with_cancel(cancel);
        }
        Ok(options)
    }

    /// The record of the caller's loop for the calls of `async def` tools, when any is
    /// registered.
    fn enter_loop(&self, locals: &TaskLocals) -> Option<LoopEntry> {
        let async_tools = self.async_tools.lock().clone();
        if async_tools.is_empty() {
            return None;
        }
        Some(LoopEntry::new(
            self.loops.clone(),
            LoopQueue::new(locals.clone()),
            async_tools,
        ))
    }
}

#[pymethods]
impl Executor {
    #[new]
    #[pyo3(signature = (max_workers=None, default_timeout=None, max_retries=None, config=None, *, default_deadline=None, backoff_initial=None, backoff_multiplier=None, backoff_max=None, jitter=None, history_capacity=None, builtin_tools=true, database=None, lambda_functions=None, lambda_endpoint_url=None, lambda_region=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        max_workers: Option<usize>,
        default_timeout: Option<f64>,
        max_retries: Option<u32>,
        config: Option<std::path::PathBuf>,
        default_deadline: Option<f64>,
        backoff_initial: Option<f64>,
        backoff_multiplier: Option<f64>,
        backoff_max: Option<f64>,
        jitter: Option<String>,
        history_capacity: Option<usize>,
        builtin_tools: bool,
        database: Option<std::path::PathBuf>,
        lambda_functions: Option<Vec<String>>,
        lambda_endpoint_url: Option<String>,
        lambda_region: Option<String>,
    ) -> PyResult<Self> {
        if max_workers == Some(0) {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "max_workers must be at least 1",
            ));
        }
        let settings = Settings {
            max_workers,
            default_timeout: duration("default_timeout", default_timeout)?,
            max_retries,
            default_deadline: duration("default_deadline", default_deadline)?,
            backoff_initial: duration("backoff_initial", backoff_initial)?,
            backoff_multiplier,
            backoff_max: duration("backoff_max", backoff_max)?,
            jitter: jitter.as_deref().map(crate::settings::jitter).transpose()?,
            history_capacity,
            config_file: config,
            builtin_tools,
            database,
            lambda_functions: lambda_functions.unwrap_or_default(),
            lambda_endpoint_url,
            lambda_region,
        };
        let n = EXECUTORS.fetch_add(1, Ordering::Relaxed);
        Ok(Self {
            settings,
            pending: Mutex::new(Vec::new()),
            built: OnceLock::new(),
            build_lock: Mutex::new(()),
            loops: Arc::new(DashMap::new()),
            async_tools: Mutex::new(Arc::new(HashSet::new())),
            id_prefix: format!("py{n}-"),
            next_id: AtomicU64::new(0),
        })
    }

    /// Registers a Python function as a tool. `is_async` when it is an `async def`.
    #[pyo3(signature = (name, function, is_async, *, description=None, input_schema=None, read_only=false, idempotent=true, destructive=false, timeout_seconds=None, max_retries=None, deadline_seconds=None, fallback=None))]
    #[allow(clippy::too_many_arguments)]
    fn register(
        &self,
        name: String,
        function: Bound<'_, PyAny>,
        is_async: bool,
        description: Option<String>,
        input_schema: Option<Bound<'_, PyAny>>,
        read_only: bool,
        idempotent: bool,
        destructive: bool,
        timeout_seconds: Option<f64>,
        max_retries: Option<u32>,
        deadline_seconds: Option<f64>,
        fallback: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if name.is_empty() {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "a tool name must not be empty",
            ));
        }
        if !function.is_callable() {
            return Err(PyTypeError::new_err(format!(
                "the tool {name:?} must be callable, got {}",
                function.get_type().name()?
            )));
        }
        let mut spec = ToolSpec::new(name.as_str(), description.unwrap_or_default());
        if let Some(schema) = input_schema {
            spec = spec.with_input_schema(to_json(&schema)?);
        }
        spec = spec.with_annotations(ToolAnnotations {
            read_only,
            idempotent,
            destructive,
        });
        let policy = PolicyOverrides {
            attempt_timeout: duration("timeout_seconds", timeout_seconds)?,
            call_deadline: duration("deadline_seconds", deadline_seconds)?,
            max_retries,
            ..PolicyOverrides::default()
        };
        let mut options = ToolOptions::default().with_policy(policy);
        if let Some(value) = fallback {
            options = options.with_fallback(Fallback::value(to_json(&value)?));
        }
        let tool = PyTool::new(spec, function.unbind(), is_async, self.loops.clone());
        let _building = self.build_lock.lock();
        if self.built.get().is_some() {
            return Err(PyRuntimeError::new_err(format!(
                "cannot register {name:?}: register tools before the executor's first call \
                 (or its start())"
            )));
        }
        if is_async {
            Arc::make_mut(&mut *self.async_tools.lock()).insert(name.clone());
        }
        self.pending.lock().push((Arc::new(tool), options));
        Ok(())
    }

    /// Builds the engine executor now (it is built on the first call otherwise).
    fn start(&self, py: Python<'_>) -> PyResult<()> {
        self.engine(py).map(|_| ())
    }

    /// Whether the engine executor is built (no more registrations).
    #[getter]
    fn started(&self) -> bool {
        self.built.get().is_some()
    }

    /// Runs one call, blocking with the GIL released.
    fn execute_one(
        &self,
        py: Python<'_>,
        request: PyRef<'_, ToolExecutionRequest>,
    ) -> PyResult<ToolExecutionResult> {
        let engine = self.engine(py)?.clone();
        let prepared = self.prepare(py, &request)?;
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let envelope = wait(py, &cancel, async move {
            engine.execute_cancellable(prepared.call, token).await
        })?;
        Ok(ToolExecutionResult::new(envelope, Some(prepared.metadata)))
    }

    /// Runs calls in parallel, blocking with the GIL released; results in request order.
    #[pyo3(signature = (requests, timeout=None, max_concurrency=None, fail_fast=false))]
    fn execute_many(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyAny>,
        timeout: Option<f64>,
        max_concurrency: Option<usize>,
        fail_fast: bool,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let engine = self.engine(py)?.clone();
        let cancel = CancellationToken::new();
        let options =
            Self::batch_options(timeout, max_concurrency, fail_fast, Some(cancel.clone()))?;
        let Starting {
            stream,
            gatherer,
            rest,
        } = self.start_batch(py, &engine, requests, options, None)?;
        let feeding = gatherer.handle();
        let mut running = runtime().spawn(gatherer.results(stream));
        if let Some(rest) = rest {
            if let Err(error) = self.feed_rest(py, rest, &feeding, None) {
                // The calls already sent end cancelled; none is left running.
                cancel.cancel();
                let _ = wait_for(py, &cancel, &mut running);
                return Err(error);
            }
        }
        wait_for(py, &cancel, &mut running)?
    }

    /// An awaitable of one call's result, on the running asyncio loop. Cancelling it
    /// cancels the call.
    fn execute_one_async<'py>(
        &self,
        py: Python<'py>,
        request: PyRef<'_, ToolExecutionRequest>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let locals = pyo3_async_runtimes::tokio::get_current_locals(py)?;
        let engine = self.engine(py)?.clone();
        let Prepared { call, metadata } = self.prepare(py, &request)?;
        let entry = self.enter_loop(&locals);
        if let Some(entry) = &entry {
            entry.add(std::slice::from_ref(&call));
        }
        crate::awaitable::future_into_py(&locals.event_loop(py), async move {
            let envelope = engine.execute(call).await;
            drop(entry);
            Ok(ToolExecutionResult::new(envelope, Some(metadata)))
        })
    }

    /// An awaitable of the results of calls run in parallel, in request order.
    /// Cancelling it cancels every call.
    #[pyo3(signature = (requests, timeout=None, max_concurrency=None, fail_fast=false))]
    fn execute_many_async<'py>(
        &self,
        py: Python<'py>,
        requests: &Bound<'py, PyAny>,
        timeout: Option<f64>,
        max_concurrency: Option<usize>,
        fail_fast: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let locals = pyo3_async_runtimes::tokio::get_current_locals(py)?;
        let engine = self.engine(py)?.clone();
        let options = Self::batch_options(timeout, max_concurrency, fail_fast, None)?;
        let entry = self.enter_loop(&locals).map(Arc::new);
        let Starting {
            stream,
            gatherer,
            rest,
        } = self.start_batch(py, &engine, requests, options, entry.as_deref())?;
        let feeding = gatherer.handle();
        let kept = entry.clone();
        let awaitable = crate::awaitable::future_into_py(&locals.event_loop(py), async move {
            let results = gatherer.results(stream).await;
            drop(kept);
            results
        })?;
        if let Some(rest) = rest {
            if let Err(error) = self.feed_rest(py, rest, &feeding, entry.as_deref()) {
                // Cancelling the awaitable drops the batch: its calls end cancelled.
                awaitable.call_method0(pyo3::intern!(py, "cancel"))?;
                return Err(error);
            }
        }
        Ok(awaitable)
    }

    /// Statistics of every call so far.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = self.engine(py)?.stats();
        stats::execution(py, &stats)
    }

    /// Statistics of one tool, None when no such tool is registered.
    fn tool_stats<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        match self.engine(py)?.tool_stats(name) {
            Some(s) => stats::snapshot(py, &s).map(Some),
            None => Ok(None),
        }
    }

    /// Every registered tool: name, description, input schema and hints.
    fn tools<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for spec in self.engine(py)?.tools() {
            let dict = PyDict::new(py);
            dict.set_item("name", &spec.name)?;
            dict.set_item("description", &spec.description)?;
            dict.set_item("input_schema", to_py(py, &spec.input_schema)?)?;
            dict.set_item("read_only", spec.annotations.read_only)?;
            dict.set_item("idempotent", spec.annotations.idempotent)?;
            dict.set_item("destructive", spec.annotations.destructive)?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// The most recent finished calls, newest last, as dicts.
    #[pyo3(signature = (limit=100))]
    fn history<'py>(&self, py: Python<'py>, limit: usize) -> PyResult<Bound<'py, PyAny>> {
        let records = self.engine(py)?.history().recent(limit);
        pythonize::pythonize(py, &records).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Attempts running now.
    fn running_attempts(&self) -> usize {
        self.built.get().map_or(0, |e| e.running_attempts())
    }
}
