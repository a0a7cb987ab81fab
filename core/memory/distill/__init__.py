"""Distillation of the memory adapters (MemLoRA): one LoRA per memory operation, trained on the base model
from teacher-labelled synthetic examples and written as llama.cpp adapter GGUFs.

Modules, one job each: vocab and topics (what facts look like), synth (labelled examples), dataset
(examples, JSONL, grammars and parsers), teacher (labels), base (GGUF -> torch), train (peft LoRA), export
(adapter GGUF + manifest), verify (llama.cpp vs torch, with vs without adapter), pipeline (distil).
Importing this package loads no torch; pipeline, train, base and verify do.
"""
