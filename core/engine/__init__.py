"""The engine: the only package that touches llama_cpp.

llama_cpp is imported before anything that imports numpy: with a CUDA build the other order made model
loading crash (shared/GPU.md).
"""

from core.engine.engine import Engine, ModelInfo, default_threads
from core.engine.model_files import (
    EMBEDDED_MODEL_ID,
    EMBEDDED_MODEL_NAME,
    check_gguf_file,
    embedded_model_path,
)
from core.engine.types import (
    ChatMessage,
    EngineConfig,
    GenerationOptions,
    GenerationResult,
    Metrics,
)

__all__ = [
    "EMBEDDED_MODEL_ID",
    "EMBEDDED_MODEL_NAME",
    "ChatMessage",
    "Engine",
    "EngineConfig",
    "GenerationOptions",
    "GenerationResult",
    "Metrics",
    "ModelInfo",
    "check_gguf_file",
    "default_threads",
    "embedded_model_path",
]
