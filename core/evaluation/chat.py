"""Chat evaluation: short requests with checkable answers, scored by rules, for configurations side by side.

The set (resources/eval/chat/cases.jsonl, described in its README) is JSON lines: {"id", "category",
"prompt" or "turns", "expect"}. `expect` holds the case's rules; a case passes when every rule holds:

- any / all: phrases that must appear (one of them / every one), as whole words, case and accents ignored
- none: phrases that must not appear
- number: the expected number appears, and no other number does except those of the conversation itself
  ("6 times 7 is 42" passes for 42; "6 times 7 is 40" fails)
- number_only: the whole answer is one number (a final period allowed)
- one_word: the answer is one word (an article before it and punctuation around it allowed)
- yes_no: the first "yes" or "no" of the answer is the expected one
- list: {"count", "style": comma|numbered|bullets|lines, "items"?, "item_regex"?}: that many items in that
  format, each holding one of `items` (or matching `item_regex`) where given
- declines: the answer declines or says it cannot know (a refusal or "I don't know" phrase)

And always: the answer ended by itself. One cut off at the length limit fails ("cut_off"), whatever it
holds: the right word inside a runaway answer is not a short answer.

A configuration is a system prompt, sampling and a length limit (and, for base models, a chat template
Hearth renders itself). Every configuration answers every case, interleaved case by case on one loaded
engine, so their figures are measured under the same load and compare directly.
"""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from core.answers.compose import calculated
from core.answers.shape import answer_in_shape, requested_shape
from core.engine import ChatEngine, ChatMessage, GenerationOptions, GenerationResult, LocalEngine
from core.engine.chat_template import ChatTemplate
from core.errors import HearthError
from core.models.profiles import FEW_SHOT_TURNS, ChatProfile
from core.number_words import NUMBER_WORDS
from core.resources import resource_path

CATEGORIES = (
    "facts",
    "arithmetic",
    "yes_no",
    "one_word",
    "number_only",
    "lists",
    "translation",
    "multi_turn",
    "decline",
)
RULES = ("any", "all", "none", "number", "number_only", "one_word", "yes_no", "list", "declines")
LIST_STYLES = ("comma", "numbered", "bullets", "lines")

# Phrases (normalised) that decline or admit not knowing. Checked as whole words in the answer.
DECLINE_PHRASES = (
    "i don't know",
    "i do not know",
    "don't know",
    "do not know",
    "not sure",
    "cannot",
    "can't",
    "can not",
    "unable",
    "not able",
    "no way to know",
    "no way of knowing",
    "impossible",
    "sorry",
    "don't have",
    "do not have",
    "no access",
    "not possible",
    "nobody knows",
    "no one knows",
    "unknown",
    "won't",
    "will not",
    "not appropriate",
    "i'm not able",
    "it is not possible to know",
    "not predictable",
    "can't predict",
    "cannot predict",
    "illegal",
)

_ARTICLES = {"a", "an", "the"}
# The chat set's numbers read as words: up to sixty, and a hundred.
_NUMBER_WORDS = {w: v for w, v in NUMBER_WORDS.items() if v <= 60} | {"hundred": 100}


class ChatEvalError(HearthError):
    """A case or configuration file that cannot be used."""


def default_set() -> Path:
    return resource_path("eval", "chat", "cases.jsonl")


# ---- cases --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatCase:
    id: str
    category: str
    messages: tuple[ChatMessage, ...]  # the conversation, its last message the user's request
    expect: Mapping[str, Any]

    @property
    def request(self) -> str:
        return self.messages[-1]["content"]


def load_cases(path: Path | None = None) -> list[ChatCase]:
    path = path or default_set()
    out: list[ChatCase] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            out.append(_case(raw))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise ChatEvalError(f"{path}, line {n}: not a chat case ({e}).") from e
    return out


def _case(raw: Mapping[str, Any]) -> ChatCase:
    if "turns" in raw:
        messages = tuple({"role": t["role"], "content": t["content"]} for t in raw["turns"])
    else:
        messages = ({"role": "user", "content": raw["prompt"]},)
    if not messages or messages[-1]["role"] != "user":
        raise ValueError("the last turn must be the user's")
    expect = dict(raw["expect"])
    unknown = set(expect) - set(RULES)
    if unknown or not expect:
        raise ValueError(f"unknown or missing rules: {sorted(unknown) or 'none given'}")
    if "list" in expect and expect["list"].get("style") not in LIST_STYLES:
        raise ValueError(f"list style must be one of {', '.join(LIST_STYLES)}")
    return ChatCase(raw["id"], raw["category"], messages, expect)  # type: ignore[arg-type]


# ---- scoring ------------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Lower case, accents dropped (é -> e, ₂ -> 2), curly quotes straightened, words one space apart."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text))


def has_phrase(text: str, phrase: str) -> bool:
    """Whether `phrase` appears in `text` as whole words (both normalised)."""
    return f" {normalize(phrase)} " in f" {normalize(text)} "


def numbers_in(text: str) -> list[float]:
    """Numbers written in digits ("1,000", "3.5", "-2") and small numbers written as words."""
    found = [float(m.replace(",", "")) for m in re.findall(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?", text)]
    found += [float(_NUMBER_WORDS[w]) for w in normalize(text).split() if w in _NUMBER_WORDS]
    return found


@dataclass(frozen=True)
class Score:
    passed: bool
    failed: tuple[str, ...] = ()  # the rules that did not hold


def score(case: ChatCase, answer: str, cut_off: bool = False) -> Score:
    """Check `answer` against every rule of `case`. An answer `cut_off` at the length limit fails too
    ("cut_off"): a right word inside a runaway answer is not a short answer."""
    text = answer.strip()
    if not text:
        return Score(False, ("empty",))
    context = " ".join(m["content"] for m in case.messages)
    failed = [rule for rule, arg in case.expect.items() if not _holds(rule, arg, text, context)]
    if cut_off:
        failed.append("cut_off")
    return Score(not failed, tuple(failed))


def _holds(rule: str, arg: Any, text: str, context: str) -> bool:
    if rule == "any":
        return any(has_phrase(text, p) for p in arg)
    if rule == "all":
        return all(has_phrase(text, p) for p in arg)
    if rule == "none":
        return not any(has_phrase(text, p) for p in arg)
    if rule == "number":
        return _number_holds(float(arg), text, context)
    if rule == "number_only":
        return bool(re.fullmatch(r"-?\d[\d,]*(?:\.\d+)?\.?", text)) == bool(arg)
    if rule == "one_word":
        words = normalize(text).split()
        if len(words) > 1 and words[0] in _ARTICLES:
            words = words[1:]
        return (len(words) == 1) == bool(arg)
    if rule == "yes_no":
        first = next((w for w in normalize(text).split() if w in ("yes", "no")), None)
        return first == arg
    if rule == "list":
        return _list_holds(arg, text)
    if rule == "declines":
        return any(has_phrase(text, p) for p in DECLINE_PHRASES) == bool(arg)
    raise ChatEvalError(f"Unknown rule '{rule}'.")


def _number_holds(expected: float, text: str, context: str) -> bool:
    found = numbers_in(text)
    allowed = {expected, *numbers_in(context)}
    return expected in found and all(n in allowed for n in found)


def list_items(text: str, style: str) -> list[str]:
    """The items of a list written in `style`; an introduction before the list is ignored."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if style == "numbered":
        return [m.group(1) for ln in lines if (m := re.match(r"\d+\s*[.)]\s*(.+)", ln))]
    if style == "bullets":
        return [m.group(1) for ln in lines if (m := re.match(r"[-*•+]\s*(.+)", ln))]
    if style == "lines":
        items = [re.sub(r"^(?:\d+\s*[.)]|[-*•+])\s*", "", ln) for ln in lines]
        return [i for i in items if not i.rstrip().endswith(":")]  # "Here are three animals:" is no item
    line = next((ln for ln in lines if "," in ln), lines[0] if lines else "")
    line = line.rsplit(":", 1)[-1]
    parts = re.split(r",|\band\b", line.rstrip(" ."))
    return [p.strip() for p in parts if p.strip()]


def _list_holds(rule: Mapping[str, Any], text: str) -> bool:
    items = list_items(text, rule["style"])
    if len(items) != int(rule["count"]):
        return False
    if "items" in rule and not all(any(has_phrase(i, v) for v in rule["items"]) for i in items):
        return False
    pattern = rule.get("item_regex")
    return pattern is None or all(re.search(pattern, normalize(i)) for i in items)


# ---- configurations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatConfig:
    """One candidate: a system prompt (None: the chat template's own default), sampling and a length limit.

    `template`, for a model without a chat template (or to try another), is a Jinja chat template that
    Hearth renders itself and continues as a raw completion, ending at `stop`. `examples` are (user,
    assistant) turns put after the system prompt, as a profile's example turns are in a chat.
    """

    name: str
    system_prompt: str | None = None
    temperature: float = 0.0
    top_p: float = 1.0
    min_p: float = 0.0
    top_k: int = 40
    repeat_penalty: float = 1.0
    max_tokens: int = 128
    template: str | None = None
    stop: tuple[str, ...] = ()
    examples: tuple[tuple[str, str], ...] = ()
    shape: bool = False  # answers to "only the number" / "in one word" taken from the reply (core.answers)
    calculator: bool = False  # plain sums worked out, not asked of the model (core.answers.arithmetic)

    @classmethod
    def from_profile(cls, name: str, profile: ChatProfile, **changes: Any) -> ChatConfig:
        base = cls(
            name=name,
            system_prompt=profile.system_prompt,
            temperature=profile.temperature,
            top_p=profile.top_p,
            min_p=profile.min_p,
            top_k=profile.top_k,
            repeat_penalty=profile.repeat_penalty,
            max_tokens=profile.max_tokens,
            template=profile.chat_template,
            stop=profile.stop,
            examples=profile.example_turns,
            shape=True,  # as the chat service answers
            calculator=True,
        )
        return replace(base, **changes)

    def options(self) -> GenerationOptions:
        return GenerationOptions(
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            min_p=self.min_p,
            top_k=self.top_k,
            repeat_penalty=self.repeat_penalty,
            stop=self.stop,
        )

    def messages(self, case: ChatCase) -> list[ChatMessage]:
        system: list[ChatMessage] = (
            [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        )
        shots: list[ChatMessage] = []
        for q, a in self.examples:
            shots += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        return [*system, *shots, *case.messages]

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out["template"] = "custom" if self.template else None
        return out


def named_templates() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Few-shot templates a configuration file may name instead of spelling one out: name -> (template, stops)."""
    from core.models import profiles as p

    return {
        "plain-few-shot": (p.PLAIN_FEW_SHOT, p.PLAIN_STOPS),
        "gemma-turns-few-shot": (p.GEMMA_TURNS_FEW_SHOT, p.GEMMA_TURN_STOPS),
        "chatml-few-shot": (p.CHATML_FEW_SHOT, p.CHATML_STOPS),
    }


def _config(raw: Mapping[str, Any]) -> ChatConfig:
    fields = {
        **raw,
        "stop": tuple(raw.get("stop", ())),
        "examples": tuple((q, a) for q, a in raw.get("examples", ())),
    }
    named = named_templates().get(str(raw.get("template")))
    if named is not None:
        fields["template"], stops = named
        fields["stop"] = tuple(dict.fromkeys((*fields["stop"], *stops)))
    return ChatConfig(**fields)


def load_configs(path: Path) -> list[ChatConfig]:
    """A JSON list of configurations: {"name", "system_prompt", "temperature", ...} (see ChatConfig);
    "template" is a Jinja template or the name of a built-in few-shot one (named_templates)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        configs = [_config(c) for c in raw]
    except (OSError, json.JSONDecodeError, TypeError) as e:
        raise ChatEvalError(f"{path}: not a list of chat configurations ({e}).") from e
    names = [c.name for c in configs]
    if not configs or len(set(names)) != len(names):
        raise ChatEvalError(f"{path}: give at least one configuration, each with its own name.")
    return configs


def generate(engine: ChatEngine, config: ChatConfig, case: ChatCase) -> GenerationResult:
    """The answer of `config` to `case`: through the model's template, or rendered with the config's own."""
    messages = config.messages(case)
    request = case.messages[-1]["content"]
    text = calculated(request, shape=config.shape) if config.calculator else None
    if text is not None:
        return GenerationResult(text, "stop")
    if config.template is None:
        shape = requested_shape(request) if config.shape else None
        if shape is not None:
            return answer_in_shape(engine, messages, shape, config.options())
        return engine.chat(messages, config.options())
    rendered = ChatTemplate(config.template, bos_token="", eos_token="").render(messages)
    options = replace(config.options(), stop=tuple(dict.fromkeys(rendered.stop + config.stop)))
    return engine.complete(rendered.text, options)


# ---- running ------------------------------------------------------------------------------------------


@dataclass
class CaseResult:
    config: str
    id: str
    category: str
    request: str
    answer: str
    passed: bool
    failed: list[str]
    tokens: int
    words: int
    ttft_ms: float
    total_ms: float
    decode_tok_s: float
    finish_reason: str
    threads: int = 0


@dataclass
class ConfigReport:
    config: dict[str, Any]
    cases: int
    accuracy: float
    by_category: dict[str, float]
    tokens_mean: float
    tokens_p95: float
    words_mean: float
    ttft_ms_p50: float
    total_ms_p50: float
    total_ms_p95: float
    decode_tok_s_mean: float
    cut_by_length: int  # answers that reached max_tokens
    failed_rules: dict[str, int]  # which rules the failed cases broke, counted

    @property
    def name(self) -> str:
        return str(self.config["name"])


@dataclass
class ChatEvalReport:
    model: str
    threads: int
    configs: list[ConfigReport]
    results: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0
    engines: int = 1  # copies of the model that shared the cases out

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        out = self.as_dict()
        out.pop("results")
        return out


def run_chat_eval(
    engine: ChatEngine | Sequence[ChatEngine],
    cases: Sequence[ChatCase],
    configs: Sequence[ChatConfig],
    *,
    block: int = 1,
    cold: bool = True,
    on_result: Callable[[CaseResult], None] | None = None,
) -> ChatEvalReport:
    """Every configuration answers every case, interleaved case by case (the same load for all).

    Cases run with their categories interleaved, so the figures of a run stopped early are still balanced.
    Given several engines (copies of one model), the cases are shared out among them, each engine in its
    own thread: llama.cpp computes without Python's lock, so N one-thread engines use N cores. With
    `block` > 1 each configuration answers `block` cases in a row before the next takes its turn, so a long
    prompt prefix (a base model's few-shot turns) stays in the KV cache. `cold` empties a local engine's
    cache before each request, so first-token times compare (a configuration that follows one with the
    same prompt would otherwise find it cached); without it they measure a warm chat.
    """
    engines = [engine] if isinstance(engine, ChatEngine) else list(engine)
    if not configs:
        raise ChatEvalError("No configuration to evaluate.")
    if not engines:
        raise ChatEvalError("No engine to evaluate with.")
    t0 = time.perf_counter()
    order = {c.id: i for i, c in enumerate(cases)}
    mixed = interleave_categories(cases)
    shards = [mixed[i :: len(engines)] for i in range(len(engines))]
    with ThreadPoolExecutor(max_workers=len(engines)) as pool:
        done = pool.map(
            lambda pair: _run_shard(pair[0], pair[1], configs, max(block, 1), cold, on_result),
            zip(engines, shards, strict=True),
        )
        results = [r for shard in done for r in shard]
    rank = {c.name: i for i, c in enumerate(configs)}
    results.sort(key=lambda r: (order[r.id], rank[r.config]))
    reports = [_config_report(c, [r for r in results if r.config == c.name]) for c in configs]
    return ChatEvalReport(
        model=engines[0].info.path or engines[0].info.name,
        threads=max((r.threads for r in results), default=0),
        configs=reports,
        results=results,
        seconds=round(time.perf_counter() - t0, 1),
        engines=len(engines),
    )


def interleave_categories(cases: Sequence[ChatCase]) -> list[ChatCase]:
    """The cases in rounds: the first of each category, then the second of each..."""
    by_cat: dict[str, list[ChatCase]] = {}
    for c in cases:
        by_cat.setdefault(c.category, []).append(c)
    rounds = max((len(v) for v in by_cat.values()), default=0)
    return [v[i] for i in range(rounds) for v in by_cat.values() if i < len(v)]


def _run_shard(
    engine: ChatEngine,
    cases: Sequence[ChatCase],
    configs: Sequence[ChatConfig],
    block: int,
    cold: bool,
    on_result: Callable[[CaseResult], None] | None,
) -> list[CaseResult]:
    out: list[CaseResult] = []
    local = engine if cold and isinstance(engine, LocalEngine) else None
    for start in range(0, len(cases), block):
        chunk = cases[start : start + block]
        for config, case in ((cfg, c) for cfg in configs for c in chunk):
            if local is not None:
                local.reset_cache()
            r = generate(engine, config, case)
            s = score(case, r.text, cut_off=r.finish_reason == "length")
            result = CaseResult(
                config=config.name,
                id=case.id,
                category=case.category,
                request=case.request,
                answer=r.text.strip(),
                passed=s.passed,
                failed=list(s.failed),
                tokens=r.metrics.completion_tokens,
                words=len(r.text.split()),
                ttft_ms=round(r.metrics.ttft_ms, 1),
                total_ms=round(r.metrics.total_ms, 1),
                decode_tok_s=round(r.metrics.decode_tok_s, 1),
                finish_reason=r.finish_reason,
                threads=r.metrics.threads,
            )
            out.append(result)
            if on_result is not None:
                on_result(result)
    return out


def _config_report(config: ChatConfig, results: list[CaseResult]) -> ConfigReport:
    n = max(len(results), 1)
    by_category: dict[str, float] = {}
    for cat in dict.fromkeys(r.category for r in results):
        mine = [r for r in results if r.category == cat]
        by_category[cat] = round(sum(r.passed for r in mine) / len(mine), 4)
    speeds = [r.decode_tok_s for r in results if r.decode_tok_s > 0]
    return ConfigReport(
        config=config.summary(),
        cases=len(results),
        accuracy=round(sum(r.passed for r in results) / n, 4),
        by_category=by_category,
        tokens_mean=round(_mean([r.tokens for r in results]), 1),
        tokens_p95=_quantile([r.tokens for r in results], 0.95),
        words_mean=round(_mean([r.words for r in results]), 1),
        ttft_ms_p50=_quantile([r.ttft_ms for r in results], 0.5),
        total_ms_p50=_quantile([r.total_ms for r in results], 0.5),
        total_ms_p95=_quantile([r.total_ms for r in results], 0.95),
        decode_tok_s_mean=round(_mean(speeds), 1),
        cut_by_length=sum(r.finish_reason == "length" for r in results),
        failed_rules=dict(Counter(rule for r in results for rule in r.failed).most_common()),
    )


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(float(ordered[min(int(q * len(ordered)), len(ordered) - 1)]), 1)


# ---- the built-in candidates --------------------------------------------------------------------------

OLD_HEARTH_PROMPT = (
    "You are Hearth, a helpful assistant that runs privately on this computer. Answer clearly and briefly."
)
HELPFUL = "You are a helpful assistant."
HEARTH_HELPFUL = "You are Hearth, a helpful assistant."
GRID_MAX_TOKENS = 96  # enough for every answer the set asks for; a longer one is a runaway


def grid_for(profile: ChatProfile) -> list[ChatConfig]:
    """The candidates `--grid` measures for a model of this profile's family, side by side."""
    if profile.chat_template is not None:  # a base model: two few-shot transcripts, plain and in turns
        from core.models.profiles import GEMMA_TURN_STOPS, GEMMA_TURNS_FEW_SHOT, PLAIN_FEW_SHOT, PLAIN_STOPS

        plain = ChatConfig.from_profile(
            "few-shot-plain", profile, template=PLAIN_FEW_SHOT, stop=PLAIN_STOPS, max_tokens=GRID_MAX_TOKENS
        )
        return [
            plain,
            replace(plain, name="few-shot-turns", template=GEMMA_TURNS_FEW_SHOT, stop=GEMMA_TURN_STOPS),
        ]
    greedy = ChatConfig("template-default", None, max_tokens=GRID_MAX_TOKENS)
    sampled = dict(temperature=0.7, top_p=0.95, min_p=0.05, repeat_penalty=1.1)
    return [
        ChatConfig("hearth-old", OLD_HEARTH_PROMPT, max_tokens=GRID_MAX_TOKENS, **sampled),  # type: ignore[arg-type]
        greedy,
        replace(greedy, name="helpful", system_prompt=HELPFUL),
        replace(greedy, name="helpful-rp1.1", system_prompt=HELPFUL, repeat_penalty=1.1),
        replace(greedy, name="hearth-helpful-rp1.1", system_prompt=HEARTH_HELPFUL, repeat_penalty=1.1),
        replace(greedy, name="helpful-t0.7", system_prompt=HELPFUL, **sampled),  # type: ignore[arg-type]
        # The profile's example turns before the conversation, with and without Hearth's name.
        replace(
            greedy,
            name="few-shot-helpful",
            system_prompt=HELPFUL,
            repeat_penalty=1.1,
            examples=FEW_SHOT_TURNS,
        ),
        replace(
            greedy,
            name="few-shot-hearth",
            system_prompt=HEARTH_HELPFUL,
            repeat_penalty=1.1,
            examples=FEW_SHOT_TURNS,
        ),
    ]
