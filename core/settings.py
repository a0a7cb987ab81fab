"""Every user setting, declared once: type, default, bounds and what it does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.engine import EMBEDDED_MODEL_ID
from core.errors import StoreError
from core.store import SettingsTable

ROUTING_MODES = ("local", "remote", "local_first")

# Hearth 0.1's default system prompt. On SmolLM2-135M it cost accuracy (docs/chat-defaults.md); a stored copy
# of it (the Settings dialog saved every field) reads as "the model's default" now.
OLD_SYSTEM_PROMPT = (
    "You are Hearth, a helpful assistant that runs privately on this computer. Answer clearly and briefly."
)


@dataclass(frozen=True)
class Setting:
    """One setting. With `auto`, None (the default) means "the model's measured default"
    (core.models.profiles): the value then depends on the model, and a number or text set here wins.

    `legacy_defaults` are values earlier versions stored as their default; they read as the default now.
    """

    key: str
    type: type
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()  # the only values a str setting takes, when given
    auto: bool = False
    legacy_defaults: tuple[Any, ...] = ()

    def validate(self, value: Any) -> Any:
        if value is None and self.auto:
            return None
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or isinstance(value, bool) != (self.type is bool):
            raise ValueError(f"Setting '{self.key}' takes a {self.type.__name__}, not {value!r}.")
        if self.minimum is not None and isinstance(value, int | float) and value < self.minimum:
            raise ValueError(f"Setting '{self.key}' must be at least {self.minimum}.")
        if self.maximum is not None and isinstance(value, int | float) and value > self.maximum:
            raise ValueError(f"Setting '{self.key}' must be at most {self.maximum}.")
        if self.choices and value not in self.choices:
            raise ValueError(f"Setting '{self.key}' takes one of {', '.join(map(repr, self.choices))}.")
        return value


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "model", str, EMBEDDED_MODEL_ID, "Model for new chats: a catalog id or a path to a GGUF file."
        ),
        Setting("n_ctx", int, 4096, "Context window in tokens.", 256, 131072),
        Setting("n_threads", int, 0, "CPU threads for inference; 0 uses every physical core.", 0, 512),
        Setting(
            "n_gpu_layers",
            int,
            -1,
            "Layers offloaded when the device is a GPU; -1 offloads all.",
            -1,
            10000,
        ),
        Setting(
            "max_tokens",
            int,
            None,
            "Longest answer, in tokens; empty: the model's measured default.",
            1,
            32768,
            auto=True,
            legacy_defaults=(512,),
        ),
        Setting(
            "temperature",
            float,
            None,
            "Randomness of answers; 0 always picks the likeliest token; empty: the model's measured default.",
            0.0,
            2.0,
            auto=True,
            legacy_defaults=(0.7,),
        ),
        Setting(
            "repeat_penalty",
            float,
            None,
            "Discourages repeating the last 64 tokens; 1.0 is off; empty: the model's measured default.",
            1.0,
            2.0,
            auto=True,
            legacy_defaults=(1.1,),
        ),
        Setting(
            "system_prompt",
            str,
            None,
            "System prompt given to new conversations; empty: the model's measured default.",
            auto=True,
            legacy_defaults=(OLD_SYSTEM_PROMPT,),
        ),
        Setting("device", str, "cpu", "Where inference runs: 'cpu', or 'gpu:N' for NVIDIA GPU N."),
        Setting(
            "power_idle_w", float, 0.0, "Estimated idle power where no sensor exists; 0 guesses.", 0.0, 2000.0
        ),
        Setting(
            "power_max_w",
            float,
            0.0,
            "Estimated full-load power where no sensor exists; 0 guesses.",
            0.0,
            2000.0,
        ),
        Setting(
            "assistant_files_dir",
            str,
            "",
            "Folder where the assistant writes notes, the calendar, contacts and e-mail drafts; "
            "empty: the data folder.",
        ),
        Setting(
            "assistant_tool_files",
            str,
            "",
            "Tools files (OpenAI function JSON, MCP servers) whose tools join the assistant's, "
            "separated by the path separator (':' on Linux and macOS, ';' on Windows).",
        ),
        Setting("assistant_toolrag_top_k", int, 5, "Most tools offered to the planner per request.", 1, 64),
        Setting(
            "assistant_toolrag_threshold",
            float,
            0.30,
            "Least similarity (0 to 1) between a request and a tool for the tool to be offered.",
            0.0,
            1.0,
        ),
        Setting(
            "assistant_adapter",
            bool,
            True,
            "Plan with the planner's LoRA adapter where the model has one (else the bare model, with examples).",
        ),
        Setting(
            "memory_enabled",
            bool,
            True,
            "Use what is remembered about you in answers, and learn new facts after each exchange.",
        ),
        Setting(
            "memory_adapters",
            bool,
            True,
            "Run memory operations with their LoRA adapters where the model has them (else the bare model).",
        ),
        Setting("memory_recall_k", int, 5, "Most memories given to the model per message.", 1, 32),
        Setting(
            "memory_recall_threshold",
            float,
            0.40,
            "Least similarity (0 to 1) between a message and a memory for the memory to be used.",
            0.0,
            1.0,
        ),
        Setting(
            "routing",
            str,
            "local",
            "Where chat answers are made: 'local' (nothing leaves this computer), 'remote' (the routing "
            "remote engine), or 'local_first' (the local model, and the remote engine when it is in doubt).",
            choices=ROUTING_MODES,
        ),
        Setting(
            "assistant_routing",
            str,
            "",
            "Where the assistant plans: as 'routing' says when empty, else 'local', 'remote' or "
            "'local_first' (the remote engine replans when the local plan fails twice or must be replanned).",
            choices=("", *ROUTING_MODES),
        ),
        Setting(
            "routing_remote",
            str,
            "",
            "The remote engine routing uses: NAME or NAME/MODEL, as added with `hearth engines add`.",
        ),
        Setting(
            "routing_min_logprob",
            float,
            -1.5,
            "Local-first: an answer whose mean token log-probability is below this is asked again of the "
            "remote engine (0 sends every answer; -10 almost none).",
            -10.0,
            0.0,
        ),
        Setting(
            "server_host",
            str,
            "127.0.0.1",
            "Address `hearth serve` and the server switch listen on; any other than 127.0.0.1 needs an "
            "API key.",
        ),
        Setting(
            "server_port",
            int,
            8800,
            "Port `hearth serve` and the server switch listen on (0: any free one).",
            0,
            65535,
        ),
        Setting(
            "voice_input_device",
            str,
            "",
            "Microphone for voice requests, by name (or part of it); empty: the system's default.",
        ),
        Setting(
            "voice_output_device",
            str,
            "",
            "Speaker for spoken answers, by name (or part of it); empty: the system's default.",
        ),
        Setting(
            "voice_silence_ms",
            int,
            640,
            "How long a silence ends what you say, in milliseconds.",
            200,
            3000,
        ),
        Setting(
            "voice_barge_in",
            bool,
            True,
            "Stop speaking as soon as you talk over an answer (turn off if Hearth hears itself through "
            "loudspeakers; the microphone button always stops it).",
        ),
        Setting(
            "voice_stt_model",
            str,
            "",
            "Speech recognition model: a folder holding a CTranslate2 Whisper model; empty: the embedded "
            "Whisper base.",
        ),
    )
}


class Settings:
    """Typed access to SETTINGS, stored in the settings table; unknown keys are refused.

    Without a table (no usable data dir) every setting reads as its default and nothing can be saved.
    """

    def __init__(self, table: SettingsTable | None) -> None:
        self._table = table

    def get(self, key: str) -> Any:
        setting = self._setting(key)
        stored = None if self._table is None else self._table.get(key)
        if stored is None or stored in setting.legacy_defaults:
            return setting.default
        try:
            return setting.validate(stored)
        except ValueError:  # a value written by hand or by an older version: fall back, do not crash
            return setting.default

    def set(self, key: str, value: Any) -> None:
        """Store `value`; for an `auto` setting, None goes back to the model's default."""
        value = self._setting(key).validate(value)
        if self._table is None:
            raise StoreError("Settings cannot be saved: the data folder is not usable.")
        self._table.set(key, value)

    def all(self) -> dict[str, Any]:
        return {key: self.get(key) for key in SETTINGS}

    def placement(self) -> tuple[int, int]:
        """(GPU layers, GPU index) for the engine, from the chosen device: the CPU offloads nothing."""
        device = self.get("device")
        if not device.startswith("gpu:"):
            return 0, 0
        try:
            index = int(device.split(":", 1)[1])
        except ValueError:
            return 0, 0
        return self.get("n_gpu_layers"), index

    @staticmethod
    def _setting(key: str) -> Setting:
        try:
            return SETTINGS[key]
        except KeyError:
            raise KeyError(f"Unknown setting '{key}'. Known: {', '.join(SETTINGS)}.") from None
