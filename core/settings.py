"""Every user setting, declared once: type, default, bounds and what it does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.engine import EMBEDDED_MODEL_ID
from core.errors import StoreError
from core.store import SettingsTable

DEFAULT_SYSTEM_PROMPT = (
    "You are Hearth, a helpful assistant that runs privately on this computer. Answer clearly and briefly."
)


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None

    def validate(self, value: Any) -> Any:
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or isinstance(value, bool) != (self.type is bool):
            raise ValueError(f"Setting '{self.key}' takes a {self.type.__name__}, not {value!r}.")
        if self.minimum is not None and isinstance(value, int | float) and value < self.minimum:
            raise ValueError(f"Setting '{self.key}' must be at least {self.minimum}.")
        if self.maximum is not None and isinstance(value, int | float) and value > self.maximum:
            raise ValueError(f"Setting '{self.key}' must be at most {self.maximum}.")
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
        Setting("max_tokens", int, 512, "Longest answer, in tokens.", 1, 32768),
        Setting(
            "temperature", float, 0.7, "Randomness of answers; 0 always picks the likeliest token.", 0.0, 2.0
        ),
        Setting(
            "repeat_penalty", float, 1.1, "Discourages repeating the last 64 tokens; 1.0 is off.", 1.0, 2.0
        ),
        Setting("system_prompt", str, DEFAULT_SYSTEM_PROMPT, "System prompt given to new conversations."),
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
        if stored is None:
            return setting.default
        try:
            return setting.validate(stored)
        except ValueError:  # a value written by hand or by an older version: fall back, do not crash
            return setting.default

    def set(self, key: str, value: Any) -> None:
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
