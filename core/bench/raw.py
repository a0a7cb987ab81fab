"""llama-cpp-python's own `Llama` and server, the baselines the benchmarks compare Hearth with."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import llama_cpp
import llama_cpp.llama as high_level

from core.engine.cpu import use_extra_buffers


@contextlib.contextmanager
def extra_buffers(allowed: bool) -> Iterator[None]:
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
    with extra_buffers(use_extra_buffers()):
        return llama_cpp.Llama(model_path=model_path, **kwargs)


def serve_llama_cpp() -> None:
    """`python -m llama_cpp.server`, its models loaded with the CPU buffer types Hearth's engine uses."""
    from llama_cpp.server.__main__ import main

    with extra_buffers(use_extra_buffers()):
        main()


if __name__ == "__main__":  # python -m core.bench.raw ARGS: llama-cpp-python's server, as above
    serve_llama_cpp()
