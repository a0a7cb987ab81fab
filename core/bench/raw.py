"""llama-cpp-python's own high-level `Llama`, the baseline the benchmarks compare Hearth's engine with."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import llama_cpp
import llama_cpp.llama as high_level

from core.engine.cpu import use_extra_buffers


@contextlib.contextmanager
def _extra_buffers(allowed: bool) -> Iterator[None]:
    # `Llama` takes no option for llama.cpp's extra CPU buffer types, and loads the model in its
    # constructor: its default parameters are wrapped for that call only, so both sides load alike (and
    # the raw side does not crash on an AMX CPU, see core.engine.cpu).
    module = high_level.llama_cpp
    original = module.llama_model_default_params

    def params() -> Any:
        p = original()
        p.use_extra_bufts = allowed
        return p

    module.llama_model_default_params = params
    try:
        yield
    finally:
        module.llama_model_default_params = original


def raw_llama(model_path: str, **kwargs: Any) -> llama_cpp.Llama:
    """`llama_cpp.Llama(model_path, **kwargs)`, with the CPU buffer types Hearth's engine uses."""
    with _extra_buffers(use_extra_buffers()):
        return llama_cpp.Llama(model_path=model_path, **kwargs)
