"""Memory: learning facts from conversations, recalling them for answers, and the user's control over them.

Learning (extract, then an update decision per fact, Mem0-style) runs in one background thread after each
exchange and never holds up the chat: it asks the engine at background priority, so any request a user
waits for stops the operation in flight at its next token and the engine's scheduler runs it again once
the model is free (core.engine.scheduler). Every change is logged; each background run is recorded with
what it changed.
"""

from __future__ import annotations

import builtins
import json
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core import paths
from core.embeddings import DEFAULT_EMBED_MODEL, TextEncoder
from core.engine import ChatEngine, ChatMessage, GenerationOptions, GenerationResult, Priority
from core.errors import MemoryEditError, OperationCancelled
from core.memory import entities, prompts, quoting, sources
from core.memory.adapters import AdapterSet, load_adapters
from core.memory.index import MemoryIndex
from core.memory.operations import MemoryOps
from core.memory.prompts import Remembered, Turn
from core.memory.recall import HybridRecall, in_third_person

__all__ = ["Asked", "ChatAnswer", "MemoryService", "Recalled", "in_third_person", "memories_json"]
from core.runtime import EngineHost, spec_from_settings
from core.settings import Settings
from core.store import Conversation, Memory, MemoryRun, Store

log = logging.getLogger(__name__)

WINDOW_TURNS = 6  # turns per extraction call: a small model keeps track of a few turns, not a session
UPDATE_NEIGHBOURS = 5  # stored memories the update decision sees
NEIGHBOUR_MIN = 0.30  # below this similarity a stored memory is unrelated: the fact is simply added
DUPLICATE_MIN = 0.95  # at or above this a stored memory says the same thing: nothing to do


@dataclass(frozen=True)
class Recalled:
    memory: Memory
    score: float

    def remembered(self) -> Remembered:
        return Remembered(self.memory.text, self.memory.happened_at)


@dataclass(frozen=True)
class Asked:
    answer: str
    used: list[Memory]  # the memory the answer is quoted from; [] when it says "Not mentioned"
    recalled: list[Recalled]  # every memory it looked at
    ms: float
    adapter: str | None
    error: str = ""

    @property
    def not_mentioned(self) -> bool:
        return not self.used and self.answer.rstrip(".") == quoting.NOT_MENTIONED


@dataclass(frozen=True)
class ChatAnswer:
    """A chat answer written with memories: the engine's result, with its text decoded from the JSON."""

    result: GenerationResult
    used: list[Memory]


def memories_json(memories: Sequence[Memory]) -> str:
    """What an answer stores of the memories it used: their ids and their text at the time."""
    return json.dumps([{"id": m.id, "text": m.text} for m in memories], ensure_ascii=False)


class _Counts(dict[str, int]):
    def bump(self, key: str, n: int = 1) -> None:
        self[key] = self.get(key, 0) + n


class MemoryService:
    def __init__(
        self,
        store: Store,
        host: EngineHost,
        settings: Settings,
        encoder: TextEncoder,
        *,
        embed_model: str = DEFAULT_EMBED_MODEL,
        root: Path | None = None,
        learning: str = "linked",
    ) -> None:
        self.store = store
        # "linked": the update decision's UPDATE/DELETE adds the new fact and links the old memory to it
        # (superseded, kept for questions about the past); "add-only": no update decision, Mem0 2026-style.
        self.learning = learning
        self.memories = store.memories
        self.host = host
        self.settings = settings
        self.root = root if root is not None else store.root
        self.index = MemoryIndex(
            self.memories, encoder, embed_model, paths.memory_dir(self.root) / "index.faiss"
        )
        self.recaller = HybridRecall(self.memories, self.index)
        self._write_lock = threading.RLock()  # one change of store + index at a time
        self._listeners: builtins.list[Callable[[MemoryRun], None]] = []
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._closing = threading.Event()
        self._analyse_old()

    def _analyse_old(self) -> None:
        """Subjects and names for memories kept before they were (schema v9): a rule, no model call."""
        for m in self.memories.unanalysed():
            self.memories.set_names(
                m.id, entities.subject_of(m.text), entities.names_field(m.text, m.happened_at)
            )

    # ---- switches ----

    @property
    def enabled(self) -> bool:
        return bool(self.settings.get("memory_enabled"))

    def set_enabled(self, on: bool) -> None:
        self.settings.set("memory_enabled", on)

    def enabled_for(self, conversation: Conversation) -> bool:
        return self.enabled and not conversation.memory_paused

    def set_paused(self, conversation_id: int, paused: bool) -> Conversation:
        return self.store.conversations.update(conversation_id, memory_paused=int(paused))

    def on_run(self, listener: Callable[[MemoryRun], None]) -> None:
        """Call `listener` (from the worker thread) with each finished background run."""
        self._listeners.append(listener)

    # ---- the user's view ----

    def list(self) -> builtins.list[Memory]:
        return self.memories.list()

    def search(self, query: str, k: int = 10) -> builtins.list[Recalled]:
        """Memories nearest in meaning to `query`, nearest first."""
        if not query.strip():
            return []
        vector = self.index.embed([query])[0]
        return [Recalled(m, s) for m, s in self.index.search(vector, k)]

    def add(self, text: str) -> Memory:
        """A memory the user writes themselves."""
        text = _clean(text)
        with self._write_lock:
            vector = self.index.embed([text])[0]
            memory = self.memories.add(
                text,
                vector.tobytes(),
                embed_model=self.index.embed_model,
                source="manual",
                event="EDIT",
                subject=entities.subject_of(text),
                names=entities.names_field(text),
            )
            self.index.add(memory.id, vector)
            return memory

    def edit(self, memory_id: int, text: str) -> Memory:
        text = _clean(text)
        with self._write_lock:
            vector = self.index.embed([text])[0]
            old = self.memories.get(memory_id)
            memory = self.memories.update(
                memory_id,
                text,
                vector.tobytes(),
                event="EDIT",
                subject=entities.subject_of(text),
                names=entities.names_field(text, old.happened_at),
            )
            self.index.replace(memory_id, vector)
            return memory

    def forget(self, memory_id: int) -> Memory:
        """Remove a memory from SQLite and the index."""
        with self._write_lock:
            old = self.memories.delete(memory_id, event="FORGET")
            self.index.remove([memory_id])
            return old

    def forget_all(self) -> int:
        with self._write_lock:
            ids = sorted(self.memories.ids())
            n = self.memories.clear()
            self.index.remove(ids)
            return n

    # ---- recall and answers ----

    def recall(
        self, text: str, k: int | None = None, threshold: float | None = None
    ) -> builtins.list[Recalled]:
        """The memories that best answer `text` (hybrid recall: core.memory.recall), best first."""
        if not text.strip() or self.memories.count() == 0:
            return []
        k = k if k is not None else self.settings.get("memory_recall_k")
        threshold = threshold if threshold is not None else self.settings.get("memory_recall_threshold")
        return [Recalled(f.memory, f.score) for f in self.recaller.recall(text, k, threshold)]

    def recall_for(self, conversation: Conversation, text: str) -> builtins.list[Recalled]:
        return self.recall(text) if self.enabled_for(conversation) else []

    def answer_in_chat(
        self,
        engine: ChatEngine,
        history: Sequence[ChatMessage],
        recalled: Sequence[Recalled],
        options: GenerationOptions,
        on_text: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ChatAnswer:
        """Stream a chat answer to a question from `recalled` memories: quoted from the one that answers it
        (the answer operation, with its adapter, under the grammar of core.memory.quoting).

        When none does ("Not mentioned"), or the message is no question, the chat answers as it would
        without memory (nothing of the quoting pass is shown). `history` is the conversation as the model
        would see it, its last message the user's.
        """
        question = history[-1]["content"]
        if not quoting.is_question(question) or not recalled:
            return ChatAnswer(engine.chat(list(history), options, on_token=on_text, cancel=cancel), [])
        shown = [r.remembered() for r in recalled]
        messages, grammar = quoting.quote_prompt(question, shown)
        adapters = self._adapters(engine)
        opts = replace(
            options,
            grammar=grammar,
            adapter=adapters.name("answer"),
            max_tokens=quoting.QUOTE_MAX_TOKENS,
            temperature=0.0,
        )
        stream = prompts.AnswerStream()
        streamed: builtins.list[str] = []

        def on_token(piece: str) -> None:
            text = stream.feed(piece)
            # The memory is chosen before the answer's text starts: "Not mentioned" is never shown.
            if text and not stream.raw.startswith('{"used": []'):
                streamed.append(text)
                if on_text is not None:
                    on_text(text)

        result = engine.chat(messages, opts, on_token=on_token, cancel=cancel)
        try:
            parsed = quoting.read_quote(question, result.text, shown)
        except prompts.MalformedOutput:  # cut off (stopped, or out of tokens): keep what was shown
            return ChatAnswer(replace(result, text="".join(streamed)), [])
        if not parsed.used:
            return ChatAnswer(engine.chat(list(history), options, on_token=on_text, cancel=cancel), [])
        shown_text = "".join(streamed)
        if on_text is not None and parsed.text.startswith(shown_text) and parsed.text != shown_text:
            on_text(parsed.text[len(shown_text) :])  # the date a time question's quote gets
        return ChatAnswer(replace(result, text=parsed.text), [recalled[i - 1].memory for i in parsed.used])

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        threshold: float | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> Asked:
        """Answer `question` from memory alone (the CLI's `memory ask`, the Memory panel): a quote from the
        memory that answers it, or "Not mentioned." with the memories it looked at."""
        recalled = self.recall(question, k, threshold)
        ops = self.ops(priority=Priority.FOREGROUND)
        streamed: builtins.list[str] = []

        def show(text: str) -> None:
            streamed.append(text)
            if on_text is not None:
                on_text(text)

        outcome = ops.quote(
            question,
            [r.remembered() for r in recalled],
            on_text=show if on_text is not None else None,
            retry=on_text is None,
        )
        so_far = "".join(streamed)
        if on_text is not None and outcome.value is not None and outcome.value.text.startswith(so_far):
            rest = outcome.value.text[len(so_far) :]  # the date of a time question's quote, a full stop
            if rest:
                on_text(rest)
        if outcome.value is None:
            return Asked("", [], recalled, outcome.ms, outcome.adapter, outcome.error)
        used = [recalled[i - 1].memory for i in outcome.value.used]
        return Asked(outcome.value.text, used, recalled, outcome.ms, outcome.adapter)

    # ---- learning ----

    def ops(self, engine: ChatEngine | None = None, priority: Priority = Priority.BACKGROUND) -> MemoryOps:
        """The operations on the loaded engine (or the one the settings ask for), with adapters if enabled.

        Learning runs at background priority: whatever a user waits for goes first.
        """
        if engine is None:
            engine = self.host.get(self.host.loaded or spec_from_settings(self.settings), priority)
        return MemoryOps(engine, self._adapters(engine))

    def _adapters(self, engine: ChatEngine) -> AdapterSet:
        if not self.settings.get("memory_adapters"):
            return AdapterSet({}, {})
        return load_adapters(engine, self.root)

    def learn(
        self,
        turns: Sequence[Turn],
        *,
        run: MemoryRun,
        ops: MemoryOps,
        date: str = "",
        conversation_id: int | None = None,
        source: str = "chat",
        source_ids: Sequence[int | str] = (),
        cancel: threading.Event | None = None,
        progress: Callable[[int, int], None] | None = None,
        said: str | None = None,
    ) -> _Counts:
        """Extract facts from `turns`, a few at a time, and fold each into memory.

        `source_ids` run parallel to `turns` (message ids, or dialogue ids): each memory keeps those of the
        turns it came from. A fact must be grounded in `said` (a chat's user sentences: sources.grounded),
        or, when it is None, name only people, places and dates its turns name.
        """
        counts = _Counts()
        for start in range(0, len(turns), WINDOW_TURNS):
            window = turns[start : start + WINDOW_TURNS]
            ids = list(source_ids[start : start + WINDOW_TURNS])
            extracted = ops.extract(window, date, cancel=cancel)
            if extracted.value is None:
                counts.bump("skipped")
                self.memories.log("SKIP", run_id=run.id, detail=f"extraction: {extracted.error}")
                continue
            heard = " ".join(f"{t.speaker}: {t.text}" for t in window)  # speakers name their own facts
            for fact in extracted.value:
                counts.bump("facts")
                ok = (
                    sources.grounded(fact, said)
                    if said is not None
                    else sources.grounded(fact, heard, names_only=True)
                )
                if not ok:  # not said by the person it would be about: the model's own words
                    counts.bump("skipped")
                    self.memories.log("SKIP", run_id=run.id, fact=fact, detail="not said by the user")
                    continue
                self._fold(fact, ops, run, counts, _day(date), conversation_id, source, ids, cancel)
            if progress is not None:
                progress(min(start + WINDOW_TURNS, len(turns)), len(turns))
        return counts

    def _fold(
        self,
        fact: str,
        ops: MemoryOps,
        run: MemoryRun,
        counts: _Counts,
        date: str,
        conversation_id: int | None,
        source: str,
        source_ids: Sequence[int | str],
        cancel: threading.Event | None,
    ) -> None:
        vector = self.index.embed([fact])[0]
        neighbours = self.index.search(vector, UPDATE_NEIGHBOURS, NEIGHBOUR_MIN)
        neighbours = [(m, s) for m, s in neighbours if m.current]
        if not neighbours:  # nothing related is stored: ADD is the only sensible decision
            decision = prompts.Decision("ADD", 0, fact)
        elif neighbours[0][1] >= DUPLICATE_MIN:
            decision = prompts.Decision("NONE", 1, "")
        elif self.learning == "add-only":
            decision = prompts.Decision("ADD", 0, fact)
        else:
            shown = [Remembered(m.text) for m, _ in neighbours]
            decided = ops.decide(fact, shown, cancel=cancel)
            if decided.value is None:
                counts.bump("skipped")
                self.memories.log("SKIP", run_id=run.id, fact=fact, detail=f"update: {decided.error}")
                return
            decision = decided.value
        with self._write_lock:
            if decision.event in ("ADD", "UPDATE", "DELETE"):
                # Add-only, with links: an UPDATE stores the merged text as a new memory and a DELETE the
                # fact that ended the old one; the old memory stays, superseded, for "when did..." questions.
                # An ADD stores the extracted fact, not the decision's paraphrase: a small model's
                # rewording drifts.
                text = decision.text if decision.event == "UPDATE" else fact
                new_vector = vector if text == fact else self.index.embed([text])[0]
                memory = self.memories.add(
                    text,
                    new_vector.tobytes(),
                    embed_model=self.index.embed_model,
                    source=source,
                    conversation_id=conversation_id,
                    source_ids=source_ids,
                    happened_at=date,
                    run_id=run.id,
                    fact=fact,
                    subject=entities.subject_of(text),
                    names=entities.names_field(text, date),
                )
                self.index.add(memory.id, new_vector)
                if decision.event == "ADD":
                    counts.bump("added")
                else:
                    target = neighbours[decision.index - 1][0]
                    self.memories.supersede(target.id, memory.id, run_id=run.id, fact=fact)
                    counts.bump("updated" if decision.event == "UPDATE" else "deleted")
            else:
                same = neighbours[max(decision.index, 1) - 1][0]
                self.memories.log("NONE", run_id=run.id, memory_id=same.id, fact=fact)
                counts.bump("unchanged")

    def remember_exchange(
        self, conversation_id: int, cancel: threading.Event | None = None, ops: MemoryOps | None = None
    ) -> MemoryRun | None:
        """Learn from the messages of a conversation not yet looked at. None when there was nothing to do."""
        conversation = self.store.conversations.get(conversation_id)
        if not self.enabled_for(conversation):
            return None
        new = [
            m
            for m in self.store.conversations.messages(conversation_id)
            if m.id > conversation.memory_through and m.role in ("user", "assistant")
        ]
        if not new or any(m.status == "streaming" for m in new):
            return None
        kept = [m for m in new if m.content and m.status != "error"]
        # Only what the user said about themselves is learnt; the assistant's words are context.
        picked, said = sources.chat_turns(
            [Turn("User" if m.role == "user" else "Assistant", m.content) for m in kept]
        )
        run = self.memories.begin_run("exchange", conversation_id)
        ops = ops or self.ops()
        try:
            counts = self.learn(
                [t for _, t in picked],
                run=run,
                ops=ops,
                date=new[-1].created_at[:10],
                conversation_id=conversation_id,
                source_ids=[kept[i].id for i, _ in picked],
                cancel=cancel,
                said=said,
            )
        except OperationCancelled:
            return self.memories.finish_run(run.id, "cancelled", {}, timings=ops.timings.as_dict())
        except Exception as e:
            log.exception("Memory run %d failed", run.id)
            return self.memories.finish_run(run.id, "failed", {}, error=str(e), timings=ops.timings.as_dict())
        self.store.conversations.update(conversation_id, memory_through=new[-1].id)
        return self.memories.finish_run(run.id, "done", counts, timings=ops.timings.as_dict())

    def ingest(
        self,
        sessions: Sequence[tuple[str, Sequence[tuple[str, Turn]]]],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        ops: MemoryOps | None = None,
    ) -> MemoryRun:
        """Learn from a conversation held elsewhere (LoCoMo's format): (date, [(dialogue id, turn)]) sessions."""
        run = self.memories.begin_run("ingest")
        ops = ops or self.ops()
        counts = _Counts()
        total = sum(len(turns) for _, turns in sessions)
        done = 0
        try:
            for date, turns in sessions:
                report = None
                if progress is not None:
                    report = lambda n, _total, base=done: progress(base + n, total)  # noqa: E731
                got = self.learn(
                    [t for _, t in turns],
                    run=run,
                    ops=ops,
                    date=date,
                    source="ingest",
                    source_ids=[i for i, _ in turns],
                    cancel=cancel,
                    progress=report,
                )
                for key, n in got.items():
                    counts.bump(key, n)
                done += len(turns)
        except OperationCancelled:
            return self.memories.finish_run(run.id, "cancelled", counts, timings=ops.timings.as_dict())
        except Exception as e:
            self.memories.finish_run(run.id, "failed", counts, error=str(e), timings=ops.timings.as_dict())
            raise
        return self.memories.finish_run(run.id, "done", counts, timings=ops.timings.as_dict())

    # ---- the background worker ----

    def after_exchange(self, conversation_id: int) -> None:
        """Queue memory work for `conversation_id`; returns at once."""
        if self._closing.is_set():
            return
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="hearth-memory", daemon=True)
            self._worker.start()
        self._queue.put(conversation_id)

    def catch_up(self) -> int:
        """Queue the conversations whose last exchanges were not learnt (the app closed first)."""
        if not self.enabled:
            return 0
        pending = self.memories.behind()
        for conversation_id in pending:
            self.after_exchange(conversation_id)
        return len(pending)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until queued memory work is done (tests, CLI). Returns False on timeout."""
        done = threading.Event()

        def watch() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=watch, daemon=True).start()
        return done.wait(timeout)

    def _work(self) -> None:
        while True:
            conversation_id = self._queue.get()
            try:
                if conversation_id is None:
                    return
                run = self.remember_exchange(conversation_id, cancel=self._closing)
                if run is not None:
                    for listener in list(self._listeners):
                        listener(run)
            except Exception:  # the worker must survive anything one run does
                log.exception("Memory work for conversation %s failed", conversation_id)
            finally:
                self._queue.task_done()

    def close(self) -> None:
        self._closing.set()
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=10)


def _day(date: str) -> str:
    """The day of a dated session ("1:56 pm on 8 May, 2023" -> "8 May, 2023"); other dates as given."""
    return date.split(" on ", 1)[1].strip() if " on " in date else date.strip()


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise MemoryEditError("A memory cannot be empty: write the fact to remember.")
    return text
