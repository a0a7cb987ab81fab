"""Hearth's core: engine, store and services. Plain Python, never imports Qt."""

__version__ = "0.1.0"
