"""Telemetry: what the assistant costs on this device (power, energy, memory), from real sensors where the
machine has them and a labelled estimate where it has none. Never imports Qt."""
