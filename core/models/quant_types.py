"""The quantization types Hearth offers, with what each costs in bits per weight and what it is good for.

Types that llama.cpp can only make well with an importance matrix (IQ1/IQ2/IQ3) are left out: Hearth does
not compute one. Bits per weight are llama.cpp's figures for a 7B llama; small models come out a little
larger because their embedding and output tensors weigh more.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import UnsupportedQuantError


@dataclass(frozen=True)
class QuantType:
    name: str
    ftype: int  # llama.cpp's llama_ftype
    bits_per_weight: float
    note: str


QUANT_TYPES: dict[str, QuantType] = {
    q.name: q
    for q in (
        QuantType("F32", 0, 32.0, "full precision; huge, only as a conversion source"),
        QuantType("F16", 1, 16.0, "half precision; a source for quantizing"),
        QuantType("BF16", 32, 16.0, "bfloat16; a source for quantizing"),
        QuantType("Q8_0", 7, 8.5, "practically lossless; large"),
        QuantType("Q6_K", 18, 6.56, "near-lossless"),
        QuantType("Q5_K_M", 17, 5.69, "very small loss; a good choice with memory to spare"),
        QuantType("Q5_K_S", 16, 5.54, "small loss"),
        QuantType("Q5_1", 9, 6.0, "legacy 5-bit"),
        QuantType("Q5_0", 8, 5.5, "legacy 5-bit"),
        QuantType("Q4_K_M", 15, 4.89, "the usual balance of size and quality"),
        QuantType("Q4_K_S", 14, 4.58, "a little smaller than Q4_K_M, a little worse"),
        QuantType("IQ4_NL", 25, 4.5, "4-bit non-linear; good on CPUs"),
        QuantType("IQ4_XS", 30, 4.25, "4-bit, smaller than Q4_K_S at similar quality"),
        QuantType("Q4_1", 3, 5.0, "legacy 4-bit"),
        QuantType("Q4_0", 2, 4.5, "legacy 4-bit; fast on ARM"),
        QuantType("Q3_K_L", 13, 4.27, "3-bit, larger variant"),
        QuantType("Q3_K_M", 12, 3.91, "3-bit; noticeable loss"),
        QuantType("Q3_K_S", 11, 3.5, "3-bit; high loss"),
        QuantType("Q2_K", 10, 3.0, "2-bit; large loss, for when nothing else fits"),
    )
}

# Types that are plain floats: quantizing from one of them loses nothing on the way in.
FLOAT_TYPES = frozenset({"F32", "F16", "BF16"})

# Quantization targets (F32 is a source, never a useful target).
TARGETS = tuple(name for name in QUANT_TYPES if name != "F32")


def quant_type(name: str) -> QuantType:
    """Look up a type by name, case-insensitively; raise UnsupportedQuantError listing the valid ones."""
    q = QUANT_TYPES.get(name.strip().upper())
    if q is None or q.name not in TARGETS:
        raise UnsupportedQuantError(
            f"'{name}' is not a quantization type Hearth offers. Choose one of: {', '.join(TARGETS)}."
        )
    return q


def bits_per_weight(name: str) -> float | None:
    q = QUANT_TYPES.get(name.upper())
    return q.bits_per_weight if q else None


def quant_from_filename(filename: str) -> str | None:
    """The quantization named in a hub file name ("qwen2.5-0.5b-instruct-q4_k_m.gguf" -> "Q4_K_M")."""
    upper = filename.upper().replace("-", "_").replace(".", "_")
    # Longest names first, so Q4_K_M wins over Q4_K and Q4_0 is not read as Q4_0_4_4 leftovers.
    for name in sorted(QUANT_TYPES, key=len, reverse=True):
        if f"_{name}_" in f"_{upper}_":
            return name
    return None
