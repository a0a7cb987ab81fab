"""What the CPU offers that changes how llama.cpp may be run on it.

llama.cpp repacks weights into "extra" CPU buffer types where the CPU has special units. On a Xeon with
AMX (Sapphire Rapids and later), llama-cpp-python 0.3.36 built there crashes the process (SIGSEGV in
`ggml_backend_amx_mul_mat`) on the first prompt of more than one token, with every model Hearth ships. So
on such a CPU the extra buffer types are left off and the weights stay in the plain CPU buffers (the AVX-512
kernels, which is what every other machine runs). `HEARTH_EXTRA_BUFFERS=1` or `=0` overrides the choice.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

_CPUINFO = Path("/proc/cpuinfo")


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (empty where /proc/cpuinfo is not there)."""
    try:
        text = _CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def has_amx(flags: frozenset[str] | None = None) -> bool:
    return any(f.startswith("amx") for f in (cpu_flags() if flags is None else flags))


def use_extra_buffers(flags: frozenset[str] | None = None) -> bool:
    """Whether llama.cpp may repack weights into its extra CPU buffer types on this machine."""
    chosen = os.environ.get("HEARTH_EXTRA_BUFFERS", "").strip()
    if chosen in ("0", "1"):
        return chosen == "1"
    return not has_amx(flags)
