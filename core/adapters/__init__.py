"""One LoRA adapter pipeline for every task (the planner, memory's extract, update and answer...).

Tasks implement task.AdapterTask (their data, target format and scorer); the pipeline does the rest:
data (examples and JSONL, checked), teacher (labels), train (peft LoRA, loss on the target only), export
(llama.cpp adapter GGUF) and manifest, verify (llama.cpp vs torch), scoring (held-out, with and without),
store (adapters found per base model, the user's first, then the shipped ones, and loaded into an engine).

Only base, train, verify and pipeline need the training extra (torch, peft, transformers: `pip install
hearth[train]`); importing this package, store, data, export, manifest, scoring or weights loads none of it.
"""

# The modules that import the training extra; the desktop bundle leaves them out (packaging/hearth.spec).
TRAINING_MODULES = (
    "core.adapters.base",
    "core.adapters.pipeline",
    "core.adapters.train",
    "core.adapters.verify",
)
