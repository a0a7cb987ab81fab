"""`hearth chat "..."`: one question, the answer streamed (or one JSON object with --json)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from core.answers.compose import answer
from core.chat.options import answer_options, system_prompt
from core.commands.common import load_settings, print_json
from core.engine import ChatMessage
from core.errors import EmptyMessageError
from core.models.profiles import defaults_for
from core.runtime import open_engine, spec_from_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="ask the model one question and print the answer")
    p.add_argument("prompt", help="the message to send")
    p.add_argument("--model", "-m", help="catalog id or GGUF path (default: the model setting)")
    p.add_argument(
        "--system", "-s", help="system prompt (default: the system_prompt setting, else the model's default)"
    )
    p.add_argument("--max-tokens", "-n", type=int, help="longest answer in tokens")
    p.add_argument("--temperature", "-t", type=float, help="0 for reproducible answers")
    p.add_argument("--threads", type=int, help="CPU threads (default: physical cores)")
    p.add_argument("--gpu-layers", type=int, help="layers to offload to the GPU (-1: all)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.prompt.strip():
        raise EmptyMessageError()
    settings = load_settings()
    spec = spec_from_settings(settings, args.model)
    if args.threads:
        spec = replace(spec, n_threads=args.threads)
    if args.gpu_layers is not None:
        spec = replace(spec, n_gpu_layers=args.gpu_layers)
    engine = open_engine(spec)
    defaults = defaults_for(engine.info.path)
    system = system_prompt(settings, defaults) if args.system is None else args.system
    messages: list[ChatMessage] = [{"role": "system", "content": system}] if system else []
    messages = defaults.with_examples([*messages, {"role": "user", "content": args.prompt}])
    options = answer_options(settings, defaults, max_tokens=args.max_tokens, temperature=args.temperature)
    stream = None if args.json else (lambda piece: print(piece, end="", flush=True))
    try:
        result = answer(engine, messages, options, on_token=stream)  # a sum worked out, a shape kept
    finally:
        engine.close()
    if not args.json:
        print()
        return 0
    m = result.metrics
    print_json(
        {
            "text": result.text,
            "prompt_tokens": m.prompt_tokens,
            "completion_tokens": m.completion_tokens,
            "ttft_ms": round(m.ttft_ms, 2),
            "decode_tok_s": round(m.decode_tok_s, 2),
            "total_ms": round(m.total_ms, 2),
            "finish_reason": result.finish_reason,
            "model": engine.info.name,
        }
    )
    return 0
