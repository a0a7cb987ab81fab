"""The ToolRAG exemplar bank: generated requests for each built-in tool (and plain questions), which
ToolRAG compares a request with (its score for a tool is the best similarity to the tool's description or
to an exemplar that uses it) and the router uses to tell tool requests from plain ones.

Made by the training generator (training templates and entities only: no evaluation request or entity,
nor a near copy), written once to resources/assistant/toolrag_bank.jsonl:

    python -m core.assistant.training.bank      # the bank, its vectors, and the router's probe
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from core.assistant.toolrag import _PROBE
from core.assistant.training.decontaminate import NearCopyFilter
from core.assistant.training.generate import PlannerDataGenerator
from core.resources import resource_path

BANK_FILE = resource_path("assistant", "toolrag_bank.jsonl")


def _tools(target: str) -> list[str]:
    return sorted({line.split(". ", 1)[1].split("(")[0] for line in target.splitlines()} - {"join"})


def make_bank(
    per_tool: int = 40, plain: int = 200, multi: int = 80, seed: int = 77
) -> list[dict[str, object]]:
    """per_tool single-call requests of each built-in tool, `multi` requests with several calls (chains
    and independent ones) and `plain` requests no tool fits."""
    gen = PlannerDataGenerator(seed, near_copy=NearCopyFilter.from_eval_sets())
    out: list[dict[str, object]] = []
    seen: set[str] = set()

    def take(kind: str, want: int, accept: object = None) -> None:
        got = tries = 0
        while got < want and tries < 200 * want:
            tries += 1
            ex = gen.example(kind)
            if ex is None or ex.request.lower() in seen:
                continue
            tools = _tools(ex.target)
            if callable(accept) and not accept(tools):
                continue
            seen.add(ex.request.lower())
            out.append({"request": ex.request, "tools": tools})
            got += 1

    per: Counter[str] = Counter()

    def room(tools: list[str]) -> bool:
        if per[tools[0]] >= per_tool:
            return False
        per[tools[0]] += 1
        return True

    take("single", per_tool * len(gen.builtins), room)
    take("chain", multi // 2)
    take("parallel", multi - multi // 2)
    take("none", plain)
    return out


def write_bank(path: Path = BANK_FILE) -> int:
    rows = make_bank()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


_TOOL_KINDS = {"single": 400, "parallel": 120, "chain": 150, "coordinated": 60, "custom_single": 350,
               "custom_parallel": 80, "custom_chain": 80, "abstract": 80, "not_offered": 60}  # fmt: skip
_PLAIN_KINDS = {"none": 500, "custom_none": 200}


def probe_data(seed: int = 91) -> tuple[list[str], list[int]]:
    """Requests that ask for an action (1: a tool, built-in or not, would do it) or not (0)."""
    gen = PlannerDataGenerator(seed, near_copy=NearCopyFilter.from_eval_sets())
    texts: list[str] = []
    labels: list[int] = []
    for kinds, label in ((_TOOL_KINDS, 1), (_PLAIN_KINDS, 0)):
        for kind, n in kinds.items():
            got = 0
            while got < n:
                ex = gen.example(kind)
                if ex is not None:
                    texts.append(ex.request)
                    labels.append(label)
                    got += 1
    return texts, labels


def write_probe() -> None:
    """A logistic probe on the embedding: does a message ask for something to be done (a tool), or is it a
    question or chat? Trained on generated requests only; the router uses it beside ToolRAG's scores."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression  # offline only: the app reads the weights

    from core.assistant.router import PROBE_FILE
    from core.embeddings import SharedEmbedder

    texts, labels = probe_data()
    emb = SharedEmbedder()
    x = emb.encode(texts)
    model = LogisticRegression(C=4.0, max_iter=2000).fit(x, np.array(labels))
    probe = emb.encode([_PROBE])[0]
    np.savez(PROBE_FILE, w=model.coef_[0].astype(np.float32), b=np.float32(model.intercept_[0]),
             probe=probe.astype(np.float16))  # fmt: skip


def write_vectors() -> None:
    """The bank's vectors under the embedded embedder, shipped beside it (ToolExemplars uses them)."""
    from core.assistant.toolrag import BANK_VECTORS, ToolExemplars
    from core.embeddings import SharedEmbedder

    ToolExemplars(SharedEmbedder()).save_vectors(BANK_VECTORS)


if __name__ == "__main__":
    print(write_bank())
    write_vectors()
    write_probe()
