"""Bad model files give an error that names the file and says what is wrong."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.errors import ModelLoadError
from core.runtime import open_local


def _load(path: Path) -> None:
    open_local(Path(path), n_ctx=256, n_threads=1).close()


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ModelLoadError, match="nope.gguf.*does not exist"):
        _load(missing)


def test_not_a_gguf(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(ModelLoadError, match="junk.gguf.*not a GGUF"):
        _load(junk)


def test_truncated_gguf(tmp_path: Path, model_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    with model_path.open("rb") as src, cut.open("wb") as dst:
        dst.write(src.read(2_000_000))  # the header survives, the tensors do not
    with pytest.raises(ModelLoadError, match="cut.gguf.*truncated or damaged"):
        _load(cut)


def test_a_folder_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not a regular file"):
        _load(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gguf"
    empty.touch()
    with pytest.raises(ModelLoadError, match="empty.gguf"):
        _load(empty)


def test_a_good_copy_still_loads(tmp_path: Path, model_path: Path) -> None:
    copy = tmp_path / "copy.gguf"
    shutil.copyfile(model_path, copy)
    _load(copy)


def test_a_gpu_on_a_cpu_only_build_is_a_clear_error(model_path: Path) -> None:
    import llama_cpp

    if llama_cpp.llama_supports_gpu_offload():
        pytest.skip("this llama-cpp-python build has GPU support")
    with pytest.raises(ModelLoadError, match="no GPU support.*make gpu"):
        open_local(Path(model_path), n_ctx=256, n_threads=1, n_gpu_layers=-1)
