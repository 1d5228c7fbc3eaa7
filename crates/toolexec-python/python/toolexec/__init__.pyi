import enum
import os
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Sequence,
    TypeVar,
    Union,
    overload,
)

__version__: str

_F = TypeVar("_F", bound=Callable[..., Any])
_Path = Union[str, os.PathLike[str]]
_Json = Any

class ToolExecutionStatus(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    INTERRUPTED = "interrupted"

class ToolError(Exception): ...
class TransientError(ToolError): ...

class ThrottledError(TransientError):
    retry_after: Optional[float]
    def __init__(self, message: str = ..., retry_after: Optional[float] = ...) -> None: ...

class InvalidInputError(ToolError, ValueError):
    field: Optional[str]
    def __init__(self, message: str, field: Optional[str] = ...) -> None: ...

class NotFoundError(ToolError, LookupError): ...
class ToolCancelled(BaseException): ...

class ToolExecutionRequest:
    tool_name: Optional[str]
    function_name: Optional[str]
    input_data: Dict[str, _Json]
    timeout_seconds: Optional[float]
    max_retries: Optional[int]
    deadline_seconds: Optional[float]
    metadata: Any
    request_id: Optional[str]
    idempotency_key: Optional[str]
    def __init__(
        self,
        tool_name: Optional[str] = ...,
        input_data: Optional[Dict[str, _Json]] = ...,
        timeout_seconds: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        metadata: Any = ...,
        *,
        function_name: Optional[str] = ...,
        deadline_seconds: Optional[float] = ...,
        request_id: Optional[str] = ...,
        idempotency_key: Optional[str] = ...,
    ) -> None: ...

class ToolExecutionResult:
    @property
    def success(self) -> bool: ...
    @property
    def result(self) -> _Json: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def error_type(self) -> Optional[str]: ...
    @property
    def error_kind(self) -> Optional[str]: ...
    @property
    def tool_name(self) -> str: ...
    @property
    def request_id(self) -> str: ...
    @property
    def status(self) -> ToolExecutionStatus: ...
    @property
    def attempts(self) -> int: ...
    @property
    def execution_time_ms(self) -> float: ...
    @property
    def fallback(self) -> bool: ...
    @property
    def metadata(self) -> Any: ...
    @property
    def attempt_log(self) -> List[Dict[str, Any]]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

class ToolExecutor:
    def __init__(
        self,
        max_workers: Optional[int] = ...,
        default_timeout: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        config: Optional[_Path] = ...,
        *,
        default_deadline: Optional[float] = ...,
        backoff_initial: Optional[float] = ...,
        backoff_multiplier: Optional[float] = ...,
        backoff_max: Optional[float] = ...,
        jitter: Optional[str] = ...,
        history_capacity: Optional[int] = ...,
        builtin_tools: bool = ...,
        database: Optional[_Path] = ...,
        lambda_functions: Optional[Sequence[str]] = ...,
        lambda_endpoint_url: Optional[str] = ...,
        lambda_region: Optional[str] = ...,
    ) -> None: ...
    def register(
        self,
        name: str,
        fn: Callable[..., Any],
        *,
        description: str = ...,
        input_schema: Optional[Dict[str, Any]] = ...,
        read_only: bool = ...,
        idempotent: bool = ...,
        destructive: bool = ...,
        timeout: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        deadline: Optional[float] = ...,
        fallback: _Json = ...,
    ) -> None: ...
    @overload
    def tool(self, fn: _F) -> _F: ...
    @overload
    def tool(
        self,
        *,
        name: Optional[str] = ...,
        description: str = ...,
        input_schema: Optional[Dict[str, Any]] = ...,
        read_only: bool = ...,
        idempotent: bool = ...,
        destructive: bool = ...,
        timeout: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        deadline: Optional[float] = ...,
        fallback: _Json = ...,
    ) -> Callable[[_F], _F]: ...
    def start(self) -> None: ...
    @property
    def started(self) -> bool: ...
    def tools(self) -> List[Dict[str, Any]]: ...
    def execute_tool_sync(self, request: ToolExecutionRequest) -> ToolExecutionResult: ...
    def execute_tools_sync(
        self,
        requests: Iterable[ToolExecutionRequest],
        timeout: Optional[float] = ...,
        *,
        max_concurrency: Optional[int] = ...,
        fail_fast: bool = ...,
    ) -> List[ToolExecutionResult]: ...
    async def execute_tool_async(self, request: ToolExecutionRequest) -> ToolExecutionResult: ...
    async def execute_tools_parallel(
        self,
        requests: Iterable[ToolExecutionRequest],
        timeout: Optional[float] = ...,
        *,
        max_concurrency: Optional[int] = ...,
        fail_fast: bool = ...,
    ) -> List[ToolExecutionResult]: ...
    def get_execution_stats(self) -> Dict[str, Any]: ...
    def get_tool_stats(self, tool_name: str) -> Optional[Dict[str, Any]]: ...
    def get_history(self, limit: int = ...) -> List[Dict[str, Any]]: ...
