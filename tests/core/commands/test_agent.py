"""`hearth agent`, `hearth actions`, `hearth reminders`, run as a user runs them: real processes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def hearth(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    # A run loads the model and the embedder and plans: allow for a busy shared machine.
    env = {**os.environ, "HEARTH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args], env=env, capture_output=True, text=True, timeout=400
    )


def test_dry_run_json_is_one_object_and_runs_nothing(hearth_home: Path) -> None:
    out = hearth("agent", "Remind me to water the plants at 6pm", "--dry-run", "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # exactly one JSON document on stdout
    assert set(data) == {"steps", "tools_offered", "prompt_tokens", "latency_ms"}
    assert data["prompt_tokens"] > 0 and data["latency_ms"] > 0
    for step in data["steps"]:
        assert set(step) == {"id", "tool", "args", "deps"} and step["tool"] in data["tools_offered"]
    assert "create_reminder" in data["tools_offered"]
    with sqlite3.connect(hearth_home / "hearth.db") as db:
        assert db.execute("select count(*) from reminders").fetchone()[0] == 0
        assert db.execute("select count(*) from agent_actions").fetchone()[0] == 0


def test_tools_file_dry_run_plans_over_only_its_functions(hearth_home: Path, tmp_path: Path) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(
        json.dumps(
            [
                {
                    "type": "function",
                    "function": {
                        "name": "turn_on_lights",
                        "description": "Turn on the lights in a room of the house.",
                        "parameters": {
                            "type": "object",
                            "properties": {"room": {"type": "string", "description": "the room"}},
                            "required": ["room"],
                        },
                    },
                }
            ]
        )
    )
    out = hearth(
        "agent",
        "Turn on the lights in the kitchen",
        "--tools",
        str(tools),
        "--dry-run",
        "--json",
        home=hearth_home,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["tools_offered"] == ["turn_on_lights"]
    assert [s["tool"] for s in data["steps"]] in ([], ["turn_on_lights"])


def test_yes_runs_the_plan_logs_it_and_undo_takes_it_back(hearth_home: Path) -> None:
    out = hearth(
        "agent",
        "Make a note called Books with Dune and Emma",
        "--yes",
        "--json",
        "--no-open",
        home=hearth_home,
    )
    assert out.returncode == 0, out.stderr
    run = json.loads(out.stdout)
    notes = [r for r in run["results"] if r["tool"] == "create_note" and r["status"] == "done"]
    assert notes, run
    path = next(hearth_home.joinpath("notes").glob("*.md"))
    # The joiner says what was done in one sentence, naming the note by the title it was given (the
    # title is the model's choice and varies by CPU; the file's name is made from it).
    title = notes[0]["args"]["title"]
    assert path.exists() and title.lower() in run["answer"].lower()
    listed = json.loads(hearth("actions", "list", "--json", home=hearth_home).stdout)
    action = next(a for a in listed if a["tool"] == "create_note")
    assert action["can_undo"] and action["request"] == "Make a note called Books with Dune and Emma"
    undo = hearth("actions", "undo", str(action["id"]), home=hearth_home)
    assert undo.returncode == 0 and "Deleted" in undo.stdout and not path.exists()
    again = hearth("actions", "undo", str(action["id"]), home=hearth_home)
    assert again.returncode == 2 and "already undone" in again.stderr
