"""Rows of the store as plain dataclasses, so callers never handle raw dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Literal

MessageStatus = Literal["complete", "streaming", "incomplete", "stopped", "error"]


def now_iso() -> str:
    # Microseconds: "most recently active first" must not tie between two writes in the same millisecond.
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    system_prompt: str
    model: str
    created_at: str
    updated_at: str
    memory_paused: int = 0
    memory_through: int = 0
    routing: str = ""  # "" follows the routing setting; else local | remote | local_first
    routing_remote: str = ""  # the remote engine for this conversation ("" : the routing_remote setting)


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: str
    content: str
    status: MessageStatus
    created_at: str
    model: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    ttft_ms: float | None = None
    prompt_tok_s: float | None = None
    decode_tok_s: float | None = None
    total_ms: float | None = None
    error: str | None = None
    energy_j: float | None = None
    energy_above_idle_j: float | None = None
    j_per_token: float | None = None
    j_per_token_above_idle: float | None = None
    avg_power_w: float | None = None
    peak_rss_mb: float | None = None
    vram_mb: float | None = None
    power_source: str | None = None
    power_measured: int | None = None
    device: str | None = None
    citations: str | None = None  # JSON list, for answers grounded in the user's documents
    memories: str | None = None  # JSON list of {"id", "text"}: the memories the answer used
    queue_ms: float | None = None  # waited for the model behind other requests
    threads: int | None = None  # CPU threads it decoded with
    engine: str | None = None  # which engine answered
    route: str | None = None  # why that engine answered
    voice_stt_ms: float | None = None  # a spoken request: end of speech -> transcript
    voice_tool_ms: float | None = None  # end of speech -> the first tool call
    voice_audio_ms: float | None = None  # end of speech -> the first audio of the answer
    voice_tts_ms: float | None = None  # the answer's first sentence -> its first audio


@dataclass(frozen=True)
class RemoteEngineRecord:
    """An OpenAI-compatible endpoint the user added (its key lives in the key store, never here)."""

    name: str
    url: str
    added_at: str
    checked_at: str = ""
    probe: str = ""  # JSON written by `hearth engines test`: capabilities, context, models


@dataclass(frozen=True)
class Turn:
    """A user's message and the answer being written to it (stored as 'streaming' until it ends)."""

    conversation_id: int
    user: Message
    answer: Message


@dataclass(frozen=True)
class DocCollection:
    """A named set of documents, all embedded with one model and chunked one way."""

    id: int
    name: str
    embed_model: str
    dim: int
    chunk_tokens: int
    overlap_tokens: int
    vectors_version: int
    created_at: str


@dataclass(frozen=True)
class DocFile:
    """A file seen in a collection: indexed (with chunks) or skipped (with the reason shown to the user)."""

    id: int
    collection_id: int
    path: str
    kind: str
    status: str  # indexed | skipped
    reason: str
    size: int | None
    mtime_ns: int | None
    sha256: str | None
    pages: int | None
    n_chunks: int
    indexed_at: str


@dataclass(frozen=True)
class Place:
    """Where a passage is in its file: `page` is 1-based (PDF only); `char_start`/`char_end` are characters
    into the text extracted from that page (or from the whole file when it has no pages); `line` is
    1-based, for plain text and code. Every chunk, search hit and citation carries one."""

    page: int | None
    line: int | None
    char_start: int
    char_end: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Place:
        """From a flat mapping (a database row, a stored citation) with these four keys."""
        return cls(row.get("page"), row.get("line"), int(row["char_start"]), int(row["char_end"]))

    def label(self) -> str:
        """ ", page 3", ", line 12" or "" (the whole file), for a source's label."""
        return f", page {self.page}" if self.page else (f", line {self.line}" if self.line else "")


@dataclass(frozen=True)
class DocChunk:
    """A piece of a file's text, and its place in the file."""

    id: int
    file_id: int
    collection_id: int
    seq: int
    place: Place
    n_tokens: int
    text: str
    path: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DocChunk:
        return cls(
            id=row["id"],
            file_id=row["file_id"],
            collection_id=row["collection_id"],
            seq=row["seq"],
            place=Place.of(row),
            n_tokens=row["n_tokens"],
            text=row["text"],
            path=row.get("path", ""),
        )


def from_row(cls: type, row: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row.items() if k in names})


@dataclass(frozen=True)
class ModelRecord:
    """A catalog row: a model file and what its GGUF header says about it."""

    id: str
    name: str
    path: str
    size_bytes: int
    mtime_ns: int  # with size, tells whether the file changed since it was read
    sha256: str
    architecture: str
    n_params: int
    quant_type: str
    context_length: int
    has_chat_template: bool
    embedded: bool = False
    source_repo: str = ""  # hub repo it came from, or "" for local files
    source_revision: str = ""  # commit of that repo
    source_file: str = ""  # file name in that repo
    parent_id: str = ""  # the model it was quantized or converted from
    added_at: str = ""
