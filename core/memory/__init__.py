"""Memory (MemLoRA): facts about the user kept across conversations, with one LoRA adapter per operation."""
