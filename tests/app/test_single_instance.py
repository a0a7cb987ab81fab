"""One Hearth per data folder: a second start hands over to the running one and exits, opening nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from app.single_instance import SingleInstance

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "HEARTH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}


def test_a_second_start_brings_the_running_window_forward_and_exits(make_window, hearth_home, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    running = SingleInstance(hearth_home)
    assert running.claim()
    running.sig_activate.connect(window.bring_forward)
    window.showMinimized()
    try:
        with qtbot.waitSignal(running.sig_activate, timeout=START_TIMEOUT_S * 1000):
            second = subprocess.Popen(
                [sys.executable, "-m", "app"],
                env=_env(hearth_home),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        out, err = second.communicate(timeout=START_TIMEOUT_S)
    finally:
        running.release()
    assert second.returncode == 0, err
    assert "already open" in out
    assert not window.isMinimized(), "the running window came forward"


def test_another_data_folder_is_another_instance(tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "a")
    other = SingleInstance(tmp_path / "b")
    same = SingleInstance(tmp_path / "a")
    try:
        assert first.claim()
        assert other.claim(), "a second profile (another HEARTH_HOME) runs beside the first"
        assert not same.claim()
    finally:
        first.release()
        other.release()


CLAIMER = """
import sys
from pathlib import Path
from app.qt import QApplication
from app.single_instance import SingleInstance
app = QApplication([])
instance = SingleInstance(Path(sys.argv[1]))
assert instance.claim()
print("claimed", flush=True)
input()
"""


def test_a_lock_left_by_a_crashed_instance_is_taken_over(tmp_path: Path) -> None:
    crashed = subprocess.Popen(
        [sys.executable, "-c", CLAIMER, str(tmp_path)],
        env=_env(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert crashed.stdout is not None and crashed.stdout.readline().strip() == "claimed"
    crashed.send_signal(signal.SIGKILL)
    crashed.wait(timeout=30)
    assert (tmp_path / "app.lock").exists(), "the crash left its lock file behind"
    after = SingleInstance(tmp_path)
    try:
        assert after.claim()
        assert not after.hand_over(timeout_ms=500), "no one else answers on the socket"
    finally:
        after.release()
