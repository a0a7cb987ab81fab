"""Typed exceptions that core raises and the GUI and CLI turn into plain messages."""

from __future__ import annotations


class HearthError(Exception):
    """Base class: its message is written for the user, not the developer."""


class ModelLoadError(HearthError):
    """A model file is missing, is not a GGUF, is damaged, or llama.cpp refused it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Cannot load model '{path}': {reason}")
        self.path = path
        self.reason = reason


class UnknownModelError(HearthError):
    """A model id or path names nothing Hearth knows."""


class GenerationError(HearthError):
    """llama.cpp failed while evaluating a prompt or decoding."""


class EngineClosedError(GenerationError):
    """A request reached an engine that was closed (the model was switched or the app is closing)."""


class QueueFullError(GenerationError):
    """Too many requests are waiting for the model; try again after `retry_after_s` seconds."""

    def __init__(self, waiting: int, retry_after_s: float) -> None:
        super().__init__(f"The model is busy: {waiting} requests are waiting. Try again in a moment.")
        self.waiting = waiting
        self.retry_after_s = retry_after_s


class CapabilityError(GenerationError):
    """A request needs something the engine cannot do (a grammar, LoRA adapters...)."""


class GrammarError(HearthError):
    """A grammar or JSON schema could not be compiled into a sampler."""


class AdapterError(HearthError):
    """A LoRA adapter could not be loaded, or does not fit the base model."""


class StoreError(HearthError):
    """The data directory or its database cannot be opened or written."""


class EmptyMessageError(HearthError):
    """The user tried to send a message with no text in it."""

    def __init__(self) -> None:
        super().__init__("The message is empty: type something to send.")


class NotFoundError(HearthError):
    """A conversation or message id that the store does not hold."""


class OperationCancelled(HearthError):
    """The user stopped a long operation (download, quantization, conversion, comparison)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was cancelled.")


class ModelFileError(ModelLoadError):
    """A file offered to the catalog is not a usable GGUF model (not GGUF, truncated, damaged)."""


class HubError(HearthError):
    """The model hub could not be reached, or refused a request."""


class DownloadError(HearthError):
    """A model download could not start or complete."""


class ChecksumMismatchError(DownloadError):
    """A downloaded file's sha256 differs from the hub's: the file is not kept."""


class NotEnoughSpaceError(DownloadError):
    """The target folder's disk cannot hold the file."""


class QuantizeError(HearthError):
    """A quantization could not be started or failed."""


class UnsupportedQuantError(QuantizeError):
    """A quantization type Hearth does not offer."""


class ConvertError(HearthError):
    """A Hugging Face checkpoint could not be converted to GGUF."""


class DocumentError(HearthError):
    """A document, folder or collection the user named cannot be used as asked."""


class SkippedFile(HearthError):
    """One file cannot be indexed; the message is the reason shown beside it (the rest are indexed)."""


class EmbedderError(HearthError):
    """A sentence-embedding model is missing, or cannot be loaded from its folder."""


class ToolError(HearthError):
    """A tool could not do what it was asked (unknown contact, bad date, missing file...).

    The message is shown in the plan's result and fed back to the joiner.
    """


class ToolDefinitionError(HearthError):
    """A tool's definition (Python signature, OpenAI JSON, MCP schema) cannot be used."""


class PlanError(HearthError):
    """A plan's text does not parse, or names steps, tools or arguments that do not exist."""


class MemoryEditError(HearthError):
    """A memory the user wrote or edited cannot be kept as it is (empty)."""


class AdapterTrainingError(HearthError):
    """An adapter could not be trained: an unsupported base model, no usable examples, a bad export, or the
    training extra (torch, peft, transformers) is not installed."""


class AdapterDataError(AdapterTrainingError):
    """Training data that cannot be used: an empty file, a line off the schema, a target that does not parse."""


class RemoteEngineError(HearthError):
    """A remote engine cannot be added, reached or used as asked (the message never holds its key)."""


class ServerConfigError(HearthError):
    """`hearth serve` cannot start as asked (an address other than loopback without an API key...)."""


class VoiceDeviceError(HearthError):
    """No microphone or speaker can be used (none connected, PortAudio missing, the device refused)."""


class VoiceModelError(HearthError):
    """The speech recognition or speech synthesis model cannot be loaded."""


class AudioFileError(HearthError):
    """An audio file the user named is missing or cannot be decoded."""
