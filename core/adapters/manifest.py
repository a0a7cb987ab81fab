"""The JSON manifest beside each adapter GGUF: what it is for and how it was made (its card's numbers)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AdapterManifest:
    task: str
    adapter_file: str
    base_model: str  # the base GGUF's file name
    base_sha256: str
    rank: int
    alpha: float
    targets: list[str]
    examples: int  # training examples that fit (after a teacher's drops)
    dropped: int  # teacher outputs that did not parse
    steps: int
    batch_size: int
    lr: float
    final_loss: float
    teacher: str  # "labels" (the generator's gold) or the teacher model's file name
    seconds: float  # training time
    date: str  # ISO 8601, UTC
    size_bytes: int
    seed: int = 0  # the generator's seed
    key_weight: float = 1.0  # loss weight of the decision's tokens (train.TrainConfig.key_weight)
    data: dict[str, Any] = field(default_factory=dict)  # the mix: examples per kind, the data file
    loss_curve: list[float] = field(default_factory=list)  # mean loss per tenth of the steps

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> AdapterManifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        if "op" in data and "task" not in data:  # memory manifests from before the shared pipeline
            data["task"] = data.pop("op")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def loss_curve(losses: list[float], points: int = 10) -> list[float]:
    """Mean loss over each of `points` equal stretches of training."""
    if not losses:
        return []
    size = max(1, len(losses) // points)
    return [
        round(sum(chunk) / len(chunk), 4)
        for chunk in (losses[i : i + size] for i in range(0, len(losses), size))
    ]
