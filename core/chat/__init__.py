"""Chat: a turn in a conversation (the service), grounding in documents, and answer options."""
