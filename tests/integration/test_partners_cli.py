"""`retirelink partners …` as an operator uses it: serve, mode, status, push-death."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from retirelink.cli import app
from retirelink.cli.partners import demo_partners
from retirelink.clock import FixedClock
from retirelink.demo.manifest import DistrictManifest, write_manifest
from retirelink.exchange.model import WatermarkKind
from retirelink.exchange.registry import parse_registry
from retirelink.partners.data import build_datasets
from retirelink.partners.model import Mode, department
from retirelink.partners.registry import (
    department_sm2_keys,
    read_registry,
    read_sm2_keys,
    registry_path,
    shared_keys,
    sm2_keys_path,
    write_registry,
)
from retirelink.partners.server import SimulatorConfig, bind_socket, running_partners
from retirelink.partners.shared_table import SIFA_TABLE, default_sifa_url, sifa_engine
from retirelink.security.sm2 import SM2PrivateKey, generate_keypair, normalise_public_key, verify
from tests.conftest import TEST_NOW
from tests.support.platform_receiver import running_receiver

pytestmark = pytest.mark.integration

MANIFEST = DistrictManifest(seed=5, persons=300, as_of=date(2026, 11, 23))


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("RETIRELINK_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture
def sims():
    config = SimulatorConfig.for_tests(persons=300, departments=(department("SIFA"),))
    with running_partners(config) as running:
        yield running


def free_port() -> int:
    with bind_socket("127.0.0.1", 0) as sock:
        return int(sock.getsockname()[1])


# --- mode and status -----------------------------------------------------------------------


def test_mode_switches_a_running_department_through_the_control_server(run, sims) -> None:
    result = run("partners", "mode", "sifa", "down", "--control", sims.control_url)

    assert result.exit_code == 0, result.output
    assert "已切换为：停机" in result.output
    assert "部门代码" in result.output
    assert sims.status("SIFA").mode is Mode.DOWN
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sims.url('SIFA')}/healthz", timeout=2)


def test_mode_slow_takes_a_delay(run, sims) -> None:
    result = run(
        "partners", "mode", "SIFA", "slow", "--delay", "0.5", "--control", sims.control_url
    )

    assert result.exit_code == 0, result.output
    assert sims.status("SIFA").delay == 0.5
    assert "0.5 秒" in result.output


def test_status_lists_the_departments(run, sims) -> None:
    result = run("partners", "status", "--control", sims.control_url)

    assert result.exit_code == 0, result.output
    assert sims.url("SIFA") in result.output
    assert "司法" in result.output
    assert "正常" in result.output


def test_mode_refuses_an_unknown_mode_or_department_in_chinese(run, sims) -> None:
    bad_mode = run("partners", "mode", "SIFA", "asleep", "--control", sims.control_url)
    bad_code = run("partners", "mode", "DANGAN", "down", "--control", sims.control_url)

    assert bad_mode.exit_code == 1 and "未知的运行模式" in bad_mode.output
    assert bad_code.exit_code == 1 and "未知的部门代码" in bad_code.output
    assert sims.status("SIFA").mode is Mode.NORMAL


def test_mode_without_a_running_control_server_says_what_to_do(run) -> None:
    control = f"http://127.0.0.1:{free_port()}"

    result = run("partners", "mode", "SIFA", "down", "--control", control)

    assert result.exit_code == 1
    assert "retirelink partners serve" in result.output


# --- push-death ----------------------------------------------------------------------------


def prepare_registry(data_dir: Path) -> bytes:
    """A manifest and a registry as `serve` leaves them; returns 公安's key."""
    write_manifest(data_dir / "demo", MANIFEST)
    keys = shared_keys(None)
    with running_partners(SimulatorConfig(district=MANIFEST, keys=keys, control_port=None)) as s:
        write_registry(registry_path(data_dir), s.registry())
    return keys["GONGAN"]


def test_push_death_sends_gongans_signed_notice_with_the_name_from_its_register(
    run, tmp_path
) -> None:
    key = prepare_registry(tmp_path)
    person = next(iter(build_datasets(MANIFEST).households.values()))

    with running_receiver("GONGAN-130406", key) as (url, receiver):
        first = run("partners", "push-death", person.id_number, "--date", "2026-11-20",
                    "--platform", url)  # fmt: skip
        again = run("partners", "push-death", person.id_number, "--date", "2026-11-20",
                    "--platform", url)  # fmt: skip

    assert first.exit_code == 0, first.output
    assert "已受理" in first.output
    assert "签名与载荷摘要已核验" in first.output
    assert again.exit_code == 0, again.output
    assert "重复报送" in again.output
    (payload,) = {json.dumps(p, sort_keys=True) for p in receiver.received}
    record = json.loads(payload)["records"][0]
    assert record["name"] == person.name
    assert record["event_date"] == "2026-11-20"
    assert receiver.callers == ["GONGAN-130406", "GONGAN-130406"]


def prepare_sm2_registry(data_dir: Path) -> tuple[bytes, SM2PrivateKey]:
    """As `serve --sm2 GONGAN` leaves them; returns 公安's shared key and its SM2 key."""
    write_manifest(data_dir / "demo", MANIFEST)
    keys = shared_keys(None)
    sm2_keys = department_sm2_keys(sm2_keys_path(data_dir), ["GONGAN"])
    config = SimulatorConfig(
        district=MANIFEST,
        keys=keys,
        control_port=None,
        sm2_keys=sm2_keys,
        our_sm2_key=generate_keypair().private_key,
    )
    with running_partners(config) as s:
        write_registry(registry_path(data_dir), s.registry())
    return keys["GONGAN"], sm2_keys["GONGAN"]


def test_push_death_sm2_signs_with_gongans_sm2_key_and_checks_the_receipt(run, tmp_path) -> None:
    key, sm2_key = prepare_sm2_registry(tmp_path)
    person = next(iter(build_datasets(MANIFEST).households.values()))

    with running_receiver("GONGAN-130406", key, sm2_public_key=sm2_key.public_key) as (
        url,
        receiver,
    ):
        result = run("partners", "push-death", person.id_number, "--date", "2026-11-20",
                     "--platform", url, "--sm2")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "SM2-SM3 签名" in result.output and "已受理" in result.output
    assert "签名与载荷摘要已核验" in result.output
    assert receiver.algorithms == ["SM2-SM3"]


def test_push_death_sm2_without_an_sm2_department_says_how_to_start_one(run, tmp_path) -> None:
    prepare_registry(tmp_path)
    person = next(iter(build_datasets(MANIFEST).households.values()))

    result = run("partners", "push-death", person.id_number, "--date", "2026-11-20", "--sm2")

    assert result.exit_code == 1
    assert "未登记 SM2 公钥" in result.output
    assert "retirelink partners serve --sm2 GONGAN" in " ".join(result.output.split())


def test_push_death_sm2_refuses_a_key_file_that_does_not_match_the_registry(run, tmp_path) -> None:
    prepare_sm2_registry(tmp_path)
    sm2_keys_path(tmp_path).unlink()
    department_sm2_keys(sm2_keys_path(tmp_path), ["GONGAN"])  # a new, different key
    person = next(iter(build_datasets(MANIFEST).households.values()))

    result = run("partners", "push-death", person.id_number, "--date", "2026-11-20", "--sm2")

    assert result.exit_code == 1
    assert "与登记的公钥不一致" in result.output


def test_department_sm2_keys_are_generated_once_and_kept_in_a_0600_file(tmp_path) -> None:
    path = sm2_keys_path(tmp_path)

    first = department_sm2_keys(path, ["GONGAN"])
    again = department_sm2_keys(path, ["GONGAN", "SIFA"])

    assert again["GONGAN"] == first["GONGAN"]
    assert set(read_sm2_keys(path)) == {"GONGAN", "SIFA"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- keygen --------------------------------------------------------------------------------


def test_keygen_sm2_writes_the_private_key_to_a_0600_file_and_shows_only_the_public_key(
    run, tmp_path
) -> None:
    out = tmp_path / "keys" / "ours.json"

    result = run("partners", "keygen", "--sm2", "--out", str(out))

    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    private = SM2PrivateKey(written["private_key"])
    assert written["algorithm"] == "SM2-SM3"
    assert written["public_key"] == private.public_key == normalise_public_key(private.public_key)
    assert verify(written["public_key"], b"m", private.sign(b"m"))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert private.public_key in result.output.replace("\n", "")
    assert private.hex not in result.output.replace("\n", "")
    assert "our_sm2_private_key" in result.output and "sm2_public_keys" in result.output


def test_keygen_never_overwrites_a_key_file_and_needs_a_key_type(run, tmp_path) -> None:
    out = tmp_path / "ours.json"
    out.write_text("earlier key")

    again = run("partners", "keygen", "--sm2", "--out", str(out))
    untyped = run("partners", "keygen", "--out", str(tmp_path / "other.json"))

    assert again.exit_code == 1 and "不会覆盖" in again.output
    assert out.read_text() == "earlier key"
    assert untyped.exit_code == 1 and "--sm2" in untyped.output
    assert not (tmp_path / "other.json").exists()


def test_push_death_without_a_registry_says_to_serve_first(run) -> None:
    result = run("partners", "push-death", "11010119900307803X", "--date", "2026-11-20")

    assert result.exit_code == 1
    assert "请先运行 retirelink partners serve" in result.output


def test_push_death_of_someone_gongan_does_not_know_is_refused(run, tmp_path) -> None:
    prepare_registry(tmp_path)

    result = run("partners", "push-death", "11010119900307803X", "--date", "2026-11-20")

    assert result.exit_code == 1
    assert "公安户籍数据中没有" in result.output


def test_push_death_refuses_a_bad_date(run, tmp_path) -> None:
    prepare_registry(tmp_path)

    result = run("partners", "push-death", "11010119900307803X", "--date", "30/11/2026")

    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.output


# --- serve (a real process) ----------------------------------------------------------------


def wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.communicate()[0].decode()
            pytest.fail(f"serve did not write {path}:\n{output}")
        time.sleep(0.1)


def test_serve_runs_every_department_writes_its_files_and_stops_on_ctrl_c(tmp_path) -> None:
    write_manifest(tmp_path / "demo", MANIFEST)
    control = free_port()
    command = [sys.executable, "-m", "retirelink", "partners", "serve", "--base-port", "0",
               "--control-port", str(control), "--down", "SIFA", "--slow", "GJJ",
               "--delay", "0.2", "--sm2", "gongan"]  # fmt: skip
    env = {**os.environ, "RETIRELINK_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(tmp_path / "partners" / "inbox" / "MINZHENG", process)
        time.sleep(0.5)  # the file is being written; the table is printed right after
        registry = read_registry(registry_path(tmp_path))
        listed = httpx.get(f"http://127.0.0.1:{control}/departments").json()["departments"]
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0].decode()

    assert process.returncode == 0, output
    assert registry is not None
    assert stat.S_IMODE(registry_path(tmp_path).stat().st_mode) == 0o600
    assert {d["code"]: d["mode"] for d in listed} == {
        "GONGAN": "normal",
        "SIFA": "down",
        "WEIJIAN": "normal",
        "MINZHENG": "normal",
        "GJJ": "slow",
        "YIBAO": "normal",
        "QUANGUO": "normal",
        "SHANXI": "normal",
        "HENAN": "normal",
    }
    assert [entry.base_url for entry in registry.partners] == [d["url"] for d in listed]
    assert (tmp_path / "partners" / "sifa.db").is_file()
    gongan_sm2 = read_sm2_keys(sm2_keys_path(tmp_path))["GONGAN"]
    assert registry.entry("GONGAN").sm2_public_key == gongan_sm2.public_key
    assert registry.entry("GONGAN").sign == "sm2" and registry.entry("SIFA").sign == "hmac"
    assert registry.our_sm2_key is not None
    assert stat.S_IMODE(sm2_keys_path(tmp_path).stat().st_mode) == 0o600
    assert "（GONGAN）使用 SM2-SM3 签名（双向）" in output
    assert "部门代码" in output and "停机" in output
    assert f"种子 {MANIFEST.seed}，{MANIFEST.persons} 人" in output
    assert "模拟部门已停止" in output


def test_serve_keeps_the_keys_of_an_earlier_run(tmp_path) -> None:
    prepare_registry(tmp_path)
    before = read_registry(registry_path(tmp_path))
    command = [sys.executable, "-m", "retirelink", "partners", "serve", "--base-port", "0",
               "--control-port", str(free_port())]  # fmt: skip
    env = {**os.environ, "RETIRELINK_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(tmp_path / "partners" / "inbox" / "MINZHENG", process)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()

    after = read_registry(registry_path(tmp_path))
    assert process.returncode == 0, output
    assert before is not None and after is not None
    assert after.keys() == before.keys()
    assert "模拟部门已停止" in output


# --- the demo's 司法 shared table read by change time ----------------------------------------


def test_demo_partners_can_have_the_platform_read_sifas_table_by_change_time(tmp_path) -> None:
    config = SimulatorConfig.for_tests(
        persons=300, departments=(department("SIFA"),), clock=FixedClock(TEST_NOW)
    )
    query = text(f"SELECT min(updated_at), max(updated_at) FROM {SIFA_TABLE}")
    times = []
    for _ in range(2):  # a restart publishes the same change times
        with (
            demo_partners(tmp_path, config, sifa_watermark="timestamp"),
            sifa_engine(default_sifa_url(tmp_path)) as engine,
            engine.connect() as conn,
        ):
            times.append(tuple(conn.execute(query).one()))
    document = json.loads(registry_path(tmp_path).read_text("utf-8"))
    (feed,) = parse_registry(document).feeds

    assert (feed.watermark_kind, feed.watermark, feed.tiebreak) == (
        WatermarkKind.TIMESTAMP,
        "updated_at",
        "seq",
    )
    assert (feed.settle_seconds, feed.timezone) == (5.0, "Asia/Shanghai")
    # SQLite keeps the Beijing wall time: the start of the district's as-of day.
    assert times[0] == times[1] == ("2026-11-23 00:00:00.000000",) * 2


def test_serve_refuses_an_unknown_watermark_before_starting_anything(run, tmp_path) -> None:
    result = run("partners", "serve", "--base-port", "0", "--sifa-watermark", "rowid")

    assert result.exit_code == 1
    assert "--sifa-watermark 只能是 integer 或 timestamp" in result.output
    assert not registry_path(tmp_path).exists()


def _ignoring_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_ctrl_c_stops_the_simulators_even_when_started_with_sigint_ignored(tmp_path) -> None:
    """A shell without job control (nohup … &, a CI script) starts background commands with
    SIGINT ignored, and Python then raises no KeyboardInterrupt: serve handles it itself."""
    write_manifest(tmp_path / "demo", MANIFEST)
    command = [sys.executable, "-m", "retirelink", "partners", "serve", "--base-port", "0"]
    env = {**os.environ, "RETIRELINK_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=_ignoring_sigint,
    )
    try:
        wait_for(tmp_path / "partners" / "inbox" / "MINZHENG", process)
        time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode()
            pytest.fail(f"SIGINT did not stop the simulators:\n{output[-2000:]}")
    assert process.returncode == 0, output
    assert "模拟部门已停止" in output
