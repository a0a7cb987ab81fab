"""The voice evaluation set (short spoken requests), rendered with Piper, and word error rate scoring.

WER is jiwer's, on text normalised the same way on both sides: lower case, no punctuation, numbers as
digits ("six pm", "6 p.m." and "6pm" are all "6 pm"), so a transcript is not counted wrong for writing
a number the other way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from core.number_words import NUMBER_WORDS, TENS
from core.resources import resource_path
from core.voice.audio import write_wav
from core.voice.tts import Synthesizer, speak_to_array


@dataclass(frozen=True)
class VoiceCase:
    id: str
    text: str
    tools: list[str]  # the tools a plan for it should call ([] for a plain answer)


def load_cases(path: Path | None = None) -> list[VoiceCase]:
    path = path or resource_path("eval", "voice", "requests.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [VoiceCase(r["id"], r["text"], list(r["tools"])) for r in rows]


def render_cases(cases: list[VoiceCase], synth: Synthesizer, folder: Path) -> dict[str, Path]:
    """Each case spoken into `folder`/<id>.wav (kept: rendering is the slow part of a rerun)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for case in cases:
        path = folder / f"{case.id}.wav"
        if not path.exists():
            write_wav(path, speak_to_array(synth, case.text), synth.sample_rate)
        out[case.id] = path
    return out


def normalize(text: str) -> str:
    t = text.lower()
    t = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", t)
    t = re.sub(r"(\d)([a-z])", r"\1 \2", t)
    t = t.replace("-", " ").replace("'s", "s").replace("’s", "s")
    t = re.sub(r"[^\w\s]", " ", t)
    words: list[str] = []
    for w in t.split():
        value = NUMBER_WORDS.get(w)
        if (
            value is not None
            and words
            and words[-1].isdigit()
            and int(words[-1]) in TENS.values()
            and value < 10
        ):
            words[-1] = str(int(words[-1]) + value)  # "twenty five" -> 25
        elif value is not None:
            words.append(str(value))
        else:
            words.append(w)
    return " ".join(words)


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER (errors over reference words), after `normalize` on both sides."""
    import jiwer

    return float(jiwer.wer([normalize(r) for r in references], [normalize(h) for h in hypotheses]))
