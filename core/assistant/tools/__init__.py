"""Hearth's built-in desktop tools. Each module returns its tools bound to one ToolContext."""

from __future__ import annotations

from core.assistant.registry import Tool, ToolRegistry
from core.assistant.tools.base import ToolContext, ToolResult
from core.assistant.tools.calendar import calendar_tools
from core.assistant.tools.contacts import contact_tools
from core.assistant.tools.email import email_tools
from core.assistant.tools.files import file_tools
from core.assistant.tools.links import link_tools
from core.assistant.tools.notes import note_tools
from core.assistant.tools.reminders import reminder_tools


def builtin_tools(ctx: ToolContext) -> list[Tool]:
    return [
        *calendar_tools(ctx),
        *note_tools(ctx),
        *reminder_tools(ctx),
        *contact_tools(ctx),
        *email_tools(ctx),
        *file_tools(ctx),
        *link_tools(ctx),
    ]


def builtin_registry(ctx: ToolContext) -> ToolRegistry:
    return ToolRegistry(builtin_tools(ctx))


__all__ = ["ToolContext", "ToolResult", "builtin_registry", "builtin_tools"]
