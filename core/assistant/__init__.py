"""The assistant: a TinyAgent-style planner over tools, run in parallel with consent and an action log.

registry (tools from typed functions) · tools/ (desktop tools) · plan, plan_grammar (the LLMCompiler format
and its grammar) · toolrag, examples (what the planner is shown) · planner · executor · consent · joiner ·
action_log, undo · custom_tools, mcp_tools (the user's own tools) · agent (one request, end to end) ·
evaluation (`hearth eval agent`). The GUI and the CLI use core.assistant.service.AssistantService.
"""
