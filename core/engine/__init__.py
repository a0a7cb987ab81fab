"""Engines: the chat-model interface every caller holds, and the llama.cpp engine that implements it.

Callers hold `ChatEngine` (or `LocalEngine` where they need a local model's tokens); engines are created by
core.runtime's factory and shared through its host, never built by callers. llama_cpp itself is imported
only by core.engine.llama (and perplexity, sampling, chat_template), before anything that imports numpy:
with a CUDA build the other order made model loading crash (shared/GPU.md).
"""

# First: llama_cpp before numpy (see above). The class itself is the factory's (core.runtime) to build.
from core.engine import llama as _llama  # noqa: F401, I001
from core.engine.context_policy import prompt_budget
from core.engine.interface import (
    AdapterSupport,
    CancelFlag,
    Capabilities,
    ChatEngine,
    LocalEngine,
    ModelInfo,
    TokenCallback,
)
from core.engine.model_files import (
    EMBEDDED_MODEL_ID,
    EMBEDDED_MODEL_NAME,
    check_gguf_file,
    embedded_model_path,
)
from core.engine.scheduler import Priority, ScheduledEngine, Scheduler
from core.engine.threads import physical_cores
from core.engine.types import (
    ChatMessage,
    EngineConfig,
    GenerationOptions,
    GenerationResult,
    Metrics,
    PerplexityResult,
)

__all__ = [
    "EMBEDDED_MODEL_ID",
    "EMBEDDED_MODEL_NAME",
    "AdapterSupport",
    "CancelFlag",
    "Capabilities",
    "ChatEngine",
    "ChatMessage",
    "EngineConfig",
    "GenerationOptions",
    "GenerationResult",
    "LocalEngine",
    "Metrics",
    "ModelInfo",
    "PerplexityResult",
    "Priority",
    "ScheduledEngine",
    "Scheduler",
    "TokenCallback",
    "check_gguf_file",
    "embedded_model_path",
    "physical_cores",
    "prompt_budget",
]
