"""A chat turn through the service: the real model, the real store."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from core.answers.shape import Shape, shape_reply
from core.chat.service import ChatService
from core.errors import EmptyMessageError, ModelLoadError
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store


@pytest.fixture
def chat(hearth_home: Path) -> ChatService:
    store = Store()
    settings = Settings(store.settings)
    settings.set("temperature", 0.0)
    settings.set("n_threads", 2)
    settings.set("max_tokens", 48)
    settings.set("n_ctx", 1024)
    return ChatService(store, EngineHost(), settings)


def test_a_turn_is_stored_with_its_metrics_and_titles_the_chat(chat: ChatService) -> None:
    conv = chat.new_conversation()
    pieces: list[str] = []
    answer = chat.send(conv.id, "What is the capital of France?", on_token=pieces.append)
    assert answer.status == "complete" and answer.content == "".join(pieces)
    assert answer.content.strip()  # its words vary by CPU; that it is stored whole does not
    assert answer.prompt_tokens and answer.completion_tokens and answer.ttft_ms and answer.decode_tok_s
    stored = chat.store.conversations.messages(conv.id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert chat.store.conversations.get(conv.id).title == "What is the capital of France?"


def test_the_next_turn_sees_the_history(chat: ChatService) -> None:
    conv = chat.new_conversation(system_prompt="You are terse.")
    chat.send(conv.id, "My name is Ada.")
    history = chat.history(chat.store.conversations.get(conv.id), before=10**9)
    assert [m["role"] for m in history] == ["system", "user", "assistant"]
    assert history[1]["content"] == "My name is Ada."


def test_stop_keeps_the_partial_answer_marked_stopped(chat: ChatService) -> None:
    conv = chat.new_conversation()
    cancel = threading.Event()
    seen: list[str] = []

    def on_token(piece: str) -> None:
        seen.append(piece)
        if len(seen) == 4:
            cancel.set()

    options = chat.generation_options(max_tokens=300, ignore_eos=True)
    answer = chat.send(conv.id, "Tell me a long story.", on_token=on_token, cancel=cancel, options=options)
    assert answer.status == "stopped" and answer.finish_reason == "cancelled"
    assert answer.content == "".join(seen) and answer.completion_tokens == 4


def test_an_empty_message_is_refused_and_nothing_is_stored(chat: ChatService) -> None:
    conv = chat.new_conversation()
    for empty in ("", "   \n\t"):
        with pytest.raises(EmptyMessageError):
            chat.send(conv.id, empty)
    assert chat.store.conversations.messages(conv.id) == []


def test_a_broken_model_marks_the_answer_as_an_error(chat: ChatService, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    conv = chat.store.conversations.create("Broken", model=str(broken))
    with pytest.raises(ModelLoadError, match="broken.gguf"):
        chat.send(conv.id, "hello")
    answer = chat.store.conversations.messages(conv.id)[-1]
    assert answer.status == "error" and "broken.gguf" in (answer.error or "")
    conv2 = chat.new_conversation()
    assert chat.send(conv2.id, "Say hi.").status == "complete", "the app still answers with its model"


CRASHING_CHILD = textwrap.dedent(
    """
    import sys
    from core.chat.service import ChatService
    from core.runtime import EngineHost
    from core.settings import Settings
    from core.store import Store

    store = Store()
    settings = Settings(store.settings)
    settings.set("n_threads", 1)
    chat = ChatService(store, EngineHost(), settings, persist_interval_s=0.05)
    conv = chat.new_conversation()
    count = 0

    def on_token(piece):
        global count
        count += 1
        if count == 40:
            print("STREAMING", flush=True)

    chat.send(conv.id, "Write a very long story.", on_token=on_token,
              options=chat.generation_options(max_tokens=4000, ignore_eos=True))
    """
)


def test_an_answer_cut_off_by_a_crash_is_kept_as_incomplete(hearth_home: Path) -> None:
    repo = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_CHILD], env=env, stdout=subprocess.PIPE, text=True, cwd=repo
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "STREAMING"
        child.send_signal(signal.SIGKILL)  # no cleanup, no finally blocks: as a power cut would be
    finally:
        child.wait(timeout=30)
    store = Store()
    assert store.recovered_messages == 1
    answer = store.conversations.messages(store.conversations.list()[0].id)[-1]
    assert answer.status == "incomplete"
    assert len(answer.content) > 20, "the text streamed before the crash was kept"


def test_answers_are_stored_with_energy_and_memory_when_telemetry_runs(hearth_home: Path) -> None:
    from core.services import Services

    services = Services.open(hearth_home)
    try:
        services.settings.set("temperature", 0.0)
        services.settings.set("max_tokens", 32)
        conv = services.chat.new_conversation()
        answer = services.chat.send(conv.id, "What is the capital of France?")
        assert answer.energy_j is not None and answer.energy_j > 0
        assert answer.j_per_token == pytest.approx(answer.energy_j / answer.completion_tokens, rel=0.01)
        assert answer.avg_power_w and answer.avg_power_w > 0
        assert answer.peak_rss_mb and answer.peak_rss_mb > 50, "the loaded model is in the process"
        assert answer.device == "cpu" and answer.power_source
        source = services.telemetry.choice.source
        assert answer.power_measured == int(source.measured)
        assert ("estimate" in answer.power_source) == (not source.measured), "an estimate says so"
        assert services.store.conversations.recent_answers()[0].id == answer.id
    finally:
        services.close()


def test_the_chosen_device_decides_where_the_model_runs(chat: ChatService) -> None:
    assert chat.engine_spec().n_gpu_layers == 0, "the CPU offloads nothing"
    chat.settings.set("device", "gpu:1")
    spec = chat.engine_spec()
    assert (spec.n_gpu_layers, spec.main_gpu) == (-1, 1)
    chat.settings.set("n_gpu_layers", 12)
    assert chat.engine_spec().n_gpu_layers == 12


def test_a_plain_sum_is_worked_out_and_stored_without_a_model_call(chat: ChatService) -> None:
    conv = chat.new_conversation()
    pieces: list[str] = []
    answer = chat.send(conv.id, "What is 6 times 7?", on_token=pieces.append)
    assert answer.content == "6 × 7 = 42" == "".join(pieces)
    assert answer.status == "complete" and not answer.completion_tokens
    again = chat.send(conv.id, "Reply with only the number: what is 25 plus 75?")
    assert again.content == "100"


def test_only_the_number_is_answered_with_one_number_or_the_whole_reply(chat: ChatService) -> None:
    conv = chat.new_conversation()
    question = "Reply with only the number: how many legs does a dog have?"
    answer = chat.send(conv.id, question)
    assert answer.status == "complete" and answer.completion_tokens
    text = answer.content
    assert re.fullmatch(r"-?\d+(?:\.\d+)?", text) or shape_reply(text, question, Shape.NUMBER) is None
