"""Power readers against sysfs trees written by the test, as the kernel lays them out."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from core.telemetry.battery import BatterySource
from core.telemetry.devices import Device, choose_source
from core.telemetry.estimate import CpuEstimateSource, PowerModel
from core.telemetry.jetson import JetsonInaSource
from core.telemetry.power import SourceUnavailable
from core.telemetry.rapl import RaplSource
from core.telemetry.raspberry import PiPmicSource, parse_pmic


def write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{value}\n")


def rapl_tree(root: Path, energy_uj: int, max_uj: int = 10_000_000) -> Path:
    zone = root / "class/powercap/intel-rapl:0"
    write(zone / "name", "package-0")
    write(zone / "energy_uj", energy_uj)
    write(zone / "max_energy_range_uj", max_uj)
    sub = root / "class/powercap/intel-rapl:0:0"  # a sub-zone (core): part of the package, never added twice
    write(sub / "name", "core")
    write(sub / "energy_uj", 999_999)
    write(sub / "max_energy_range_uj", max_uj)
    return zone


def test_rapl_counts_energy_and_unfolds_a_wrap(tmp_path: Path) -> None:
    zone = rapl_tree(tmp_path, 1_000)
    source = RaplSource(tmp_path / "class/powercap")
    assert "package-0" in source.label and source.measured
    write(zone / "energy_uj", 5_000)
    assert source.read().energy_j == pytest.approx(0.004)
    write(zone / "energy_uj", 100)  # wrapped past max_energy_range_uj
    assert source.read().energy_j == pytest.approx((4_000 + 10_000_000 - 5_000 + 100) / 1e6)


def test_rapl_missing_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match="no RAPL"):
        RaplSource(tmp_path / "class/powercap")
    zone = tmp_path / "class/powercap/intel-rapl:0"
    write(zone / "max_energy_range_uj", 10)
    with pytest.raises(SourceUnavailable, match="energy_uj does not exist"):
        RaplSource(tmp_path / "class/powercap")


def test_rapl_permission_denied_is_reported(tmp_path: Path) -> None:
    # Since Linux 5.10 energy_uj is readable by root only. Tests run as root, so the denial comes from a sysfs
    # attribute the kernel refuses to read to anyone: every bus's write-only drivers_probe.
    write_only = next(iter(sorted(Path("/sys/bus").glob("*/drivers_probe"))), None)
    if write_only is None:
        pytest.skip("no /sys/bus/*/drivers_probe on this machine")
    zone = rapl_tree(tmp_path, 1_000)
    (zone / "energy_uj").unlink()
    (zone / "energy_uj").symlink_to(write_only)
    with pytest.raises(SourceUnavailable, match="permission denied"):
        RaplSource(tmp_path / "class/powercap")


def battery_tree(root: Path, name: str, status: str, **values: int) -> Path:
    bat = root / "class/power_supply" / name
    write(bat / "type", "Battery")
    write(bat / "status", status)
    for key, value in values.items():
        write(bat / key, value)
    write(root / "class/power_supply/AC/type", "Mains")
    return bat


def test_battery_power_now(tmp_path: Path) -> None:
    battery_tree(tmp_path, "BAT0", "Discharging", power_now=12_500_000)
    source = BatterySource(tmp_path / "class/power_supply")
    assert source.read().watts == pytest.approx(12.5)


def test_battery_current_times_voltage(tmp_path: Path) -> None:
    battery_tree(tmp_path, "BAT1", "Discharging", current_now=1_250_000, voltage_now=11_800_000)
    assert BatterySource(tmp_path / "class/power_supply").read().watts == pytest.approx(1.25 * 11.8)


def test_battery_on_ac_or_missing_measures_nothing(tmp_path: Path) -> None:
    bat = battery_tree(tmp_path, "BAT0", "Charging", power_now=5_000_000)
    with pytest.raises(SourceUnavailable, match="not discharging"):
        BatterySource(tmp_path / "class/power_supply")
    write(bat / "status", "Discharging")
    (bat / "power_now").unlink()
    with pytest.raises(SourceUnavailable, match="current_now does not exist"):
        BatterySource(tmp_path / "class/power_supply")
    with pytest.raises(SourceUnavailable, match="no battery"):
        BatterySource(tmp_path / "nothing")


def test_jetson_hwmon_uses_the_input_rail(tmp_path: Path) -> None:
    hw = tmp_path / "class/hwmon/hwmon2"
    write(hw / "name", "ina3221")
    for n, (label, mv, ma) in enumerate(
        [("VDD_IN", 5000, 1200), ("VDD_CPU_GPU_CV", 5000, 400), ("VDD_SOC", 5000, 300)], 1
    ):
        write(hw / f"in{n}_label", label)
        write(hw / f"in{n}_input", mv)
        write(hw / f"curr{n}_input", ma)
    source = JetsonInaSource(tmp_path)
    assert "VDD_IN" in source.label
    assert source.read().watts == pytest.approx(6.0)


def test_jetson_iio_rails_are_summed(tmp_path: Path) -> None:
    dev = tmp_path / "bus/i2c/drivers/ina3221x/1-0040/iio:device0"
    for n, (name, mw) in enumerate([("VDD_CPU", 1500), ("VDD_GPU", 2500)]):
        write(dev / f"rail_name_{n}", name)
        write(dev / f"in_power{n}_input", mw)
    assert JetsonInaSource(tmp_path).read().watts == pytest.approx(4.0)
    with pytest.raises(SourceUnavailable, match="INA3221"):
        JetsonInaSource(tmp_path / "none")


PMIC_OUTPUT = """\
     3V7_WL_SW_A current(0)=0.00390372A
   3V3_SYS_A current(1)=0.05660394A
  VDD_CORE_A current(7)=2.10460000A
     3V7_WL_SW_V volt(8)=3.70000000V
   3V3_SYS_V volt(9)=3.31000000V
  VDD_CORE_V volt(14)=0.80000000V
     EXT5V_V volt(24)=5.13000000V
"""


def test_raspberry_pi_pmic_output_is_parsed() -> None:
    expected = 0.00390372 * 3.7 + 0.05660394 * 3.31 + 2.1046 * 0.8
    assert parse_pmic(PMIC_OUTPUT) == pytest.approx(expected)
    with pytest.raises(SourceUnavailable):
        parse_pmic("nothing useful")


def test_raspberry_pi_pmic_runs_vcgencmd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "bin/vcgencmd"
    write(tool, f"#!/bin/sh\ncat <<'EOF'\n{PMIC_OUTPUT}EOF\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tool.parent}:{os.environ['PATH']}")
    assert PiPmicSource().read().watts == pytest.approx(parse_pmic(PMIC_OUTPUT))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SourceUnavailable, match="not installed"):
        PiPmicSource()


def test_estimate_follows_cpu_use_and_says_it_is_an_estimate() -> None:
    source = CpuEstimateSource(PowerModel(idle_w=5, max_w=25))
    first = source.read()
    assert not source.measured and "estimate" in source.label
    assert 5 <= (first.watts or 0) <= 25
    assert (source.read().energy_j or 0) >= (first.energy_j or 0)


def test_the_best_available_source_is_chosen_and_the_others_explained(tmp_path: Path) -> None:
    cpu = Device("cpu", "cpu", "Test CPU", 8 << 30, cores=4)
    choice = choose_source(cpu, sys_root=tmp_path)
    assert choice.source.name == "estimate"
    assert {"rapl", "jetson-ina", "battery"} <= set(choice.tried)
    rapl_tree(tmp_path, 1_000)
    assert choose_source(cpu, sys_root=tmp_path).source.name == "rapl"


def test_nvml_reads_power_and_energy_where_a_gpu_exists() -> None:
    from core.telemetry.nvml import NvmlSource

    try:
        source = NvmlSource(0)
    except SourceUnavailable as e:
        pytest.skip(f"no NVIDIA GPU here ({e}); this path runs on the GPU machine")
    reading = source.read()
    assert reading.watts and reading.watts > 0
    assert source.vram_bytes() > 0
