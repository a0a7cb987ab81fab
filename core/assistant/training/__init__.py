"""The planner's adapter task: program-generated requests with exact LLMCompiler plans (data), and the
prompt, target and scorer the shared adapter pipeline (core.adapters) trains and evaluates it with."""
