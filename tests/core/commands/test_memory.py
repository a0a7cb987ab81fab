"""`hearth memory ...` run as a user runs it: a real process on a real data dir."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.test_cli import hearth


def test_add_list_search_edit_and_forget(hearth_home: Path) -> None:
    added = []
    for text in ("User has a dog named Rex.", "User lives in Lisbon.", "User plays the cello."):
        out = hearth("memory", "add", text, "--json", home=hearth_home)
        assert out.returncode == 0, out.stderr
        added.append(json.loads(out.stdout)[0])
    assert [m["source"] for m in added] == ["manual"] * 3

    found = json.loads(
        hearth("memory", "search", "which instrument", "-k", "1", "--json", home=hearth_home).stdout
    )
    assert found[0]["id"] == added[2]["id"] and 0 < found[0]["score"] <= 1

    out = hearth("memory", "edit", str(added[1]["id"]), "User lives in Porto.", "--json", home=hearth_home)
    assert json.loads(out.stdout)[0]["text"] == "User lives in Porto."

    out = hearth("memory", "forget", str(added[0]["id"]), "--json", home=hearth_home)
    assert json.loads(out.stdout) == {"forgotten": 1, "ids": [added[0]["id"]]}
    listed = json.loads(hearth("memory", "list", "--json", home=hearth_home).stdout)
    assert sorted(m["text"] for m in listed) == ["User lives in Porto.", "User plays the cello."]

    out = hearth("memory", "forget", "999", home=hearth_home)
    assert out.returncode != 0 and "No memory with id 999" in out.stderr

    log = hearth("memory", "log", home=hearth_home)
    assert log.returncode == 0


def test_ask_json_prints_the_answer_and_the_memories_used(hearth_home: Path) -> None:
    hearth("memory", "add", "User's sister Ana is a pilot.", home=hearth_home)
    out = hearth("memory", "ask", "What does my sister do for a living?", "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"answer", "memories", "recalled", "latency_ms", "adapter"}
    assert data["answer"] and not data["answer"].startswith("{")
    assert data["recalled"] and data["recalled"][0]["text"] == "User's sister Ana is a pilot."
    assert all(m["text"] == "User's sister Ana is a pilot." for m in data["memories"])


def test_ingest_refuses_a_broken_file_with_a_clear_message(hearth_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    out = hearth("memory", "ingest", str(bad), home=hearth_home)
    assert out.returncode != 0
    assert str(bad) in out.stderr and "list" in out.stderr
    assert "Traceback" not in out.stderr


def test_ingest_learns_from_a_locomo_conversation(hearth_home: Path, tmp_path: Path) -> None:
    sample = [
        {
            "sample_id": "t1",
            "conversation": {
                "speaker_a": "Bruna",
                "speaker_b": "Colm",
                "session_1_date_time": "10:00 am on 3 March, 2024",
                "session_1": [
                    {
                        "speaker": "Bruna",
                        "dia_id": "D1:1",
                        "text": "I adopted a grey cat called Pixel last week!",
                    },
                    {"speaker": "Colm", "dia_id": "D1:2", "text": "Lovely. I started learning the violin."},
                ],
            },
            "qa": [
                {
                    "question": "What is Bruna's cat called?",
                    "answer": "Pixel",
                    "evidence": ["D1:1"],
                    "category": 4,
                }
            ],
        }
    ]
    path = tmp_path / "locomo.json"
    path.write_text(json.dumps(sample))
    # Loads the model, the adapters and the embedder, then extracts and decides: minutes on a busy machine.
    out = hearth("memory", "ingest", str(path), "--json", home=hearth_home, timeout=600)
    assert out.returncode == 0, out.stderr
    (run,) = json.loads(out.stdout)
    assert run["status"] == "done" and run["kind"] == "ingest"
    listed = json.loads(hearth("memory", "list", "--json", home=hearth_home).stdout)
    assert len(listed) == run["added"] - run["deleted"]
    assert any("Pixel" in m["text"] for m in listed)  # the shipped extraction adapter finds the cat
    for m in listed:
        assert m["source"] == "ingest" and m["happened_at"] == "3 March, 2024"
        assert set(m["source_ids"]) <= {"D1:1", "D1:2"}
