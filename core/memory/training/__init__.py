"""The memory adapters' training data (MemLoRA): what facts look like (vocab, topics), seeded synthetic
examples of the three operations with gold labels (synth), and the operations' example form, constraints
and parsers (examples). The tasks the adapter pipeline trains are in core/memory/adapter_tasks.py."""
