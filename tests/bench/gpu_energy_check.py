"""On an NVIDIA machine: Hearth's J/token against NVML's energy counter read independently.

Runs the same request through Hearth's chat service (which stores energy from its telemetry sampler) while
this script reads nvmlDeviceGetTotalEnergyConsumption itself, straight from pynvml, before and after.
Prints both and their ratio. Needs a CUDA build (`make gpu`). Run:
`.venv/bin/python tests/bench/gpu_energy_check.py [--runs 5] [--max-tokens 256]`
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import llama_cpp  # noqa: E402,F401  - before numpy (shared/GPU.md)

from core.services import Services  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--gpu", type=int, default=0)
    args = parser.parse_args()
    import pynvml

    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(args.gpu)
    with tempfile.TemporaryDirectory() as home:
        services = Services.open(Path(home))
        services.settings.set("device", f"gpu:{args.gpu}")
        services.telemetry.select(f"gpu:{args.gpu}")
        options = services.chat.generation_options(
            max_tokens=args.max_tokens, temperature=0.0, ignore_eos=True
        )
        ratios = []
        for i in range(args.runs + 1):
            conv = services.chat.new_conversation()
            before = pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            answer = services.chat.send(conv.id, "Write a long story about a lighthouse.", options=options)
            after = pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            if i == 0:
                continue  # warm-up: model load and CUDA graphs
            nvml_j = (after - before) / 1000
            tokens = answer.completion_tokens or 1
            ratios.append((answer.energy_j or 0) / nvml_j)
            print(
                f"run {i}: {tokens} tokens, {answer.decode_tok_s:.0f} tok/s | Hearth {answer.energy_j:.3f} J "
                f"({answer.j_per_token:.5f} J/token) | NVML read directly {nvml_j:.3f} J ({nvml_j / tokens:.5f} J/token)"
            )
        services.close()
    print(f"Hearth / NVML energy, median of {args.runs}: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
