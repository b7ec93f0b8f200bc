"""`retirelink partners`: run the simulated partner departments, switch their modes, push.

``serve`` plays 公安, 司法, 卫健, 民政, 住建/公积金 and 医保 for the district ``demo load``
loaded (its manifest), writes the registry the platform reads, the 司法 shared table and the
卫健/民政 inbox files, then runs until Ctrl-C. ``mode`` talks to its control server;
``push-death`` sends a signed 公安 death notice to the platform.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from types import FrameType

import httpx
import typer
from rich.table import Table

from retirelink.archives.model import DepartmentKind
from retirelink.cli.context import console, err_console, reports_errors, settings_from_env
from retirelink.clock import CHINA_TZ, SystemClock
from retirelink.demo.manifest import DistrictManifest, read_manifest
from retirelink.errors import InvalidInputError, NotFoundError, UnavailableError
from retirelink.partners.data import find_person
from retirelink.partners.inbox import write_inbox
from retirelink.partners.model import (
    DEATH_CANCELLATION,
    PRISONERS,
    DepartmentStatus,
    Mode,
    department,
    parse_mode,
)
from retirelink.partners.modes import DEFAULT_DELAY
from retirelink.partners.pusher import (
    DEFAULT_PLATFORM,
    death_message_id,
    death_notice,
    push_notices,
)
from retirelink.partners.registry import (
    SIFA_WATERMARK_INTEGER,
    SIFA_WATERMARK_TIMESTAMP,
    read_registry,
    registry_path,
    shared_keys,
    write_registry,
)
from retirelink.partners.server import (
    DEFAULT_BASE_PORT,
    DEFAULT_CONTROL_PORT,
    PartnerSimulators,
    SimulatorConfig,
    running_partners,
)
from retirelink.partners.shared_table import default_sifa_url, publish_sifa_table, sifa_engine
from retirelink.rules.identifiers import parse_id_number

app = typer.Typer(
    help="模拟协同部门（公安、司法、卫健、民政、住建/公积金、医保）", no_args_is_help=True
)

DEFAULT_SEED = 130406  # the same defaults as `retirelink demo load`
DEFAULT_PERSONS = 20_000
DEFAULT_CONTROL = f"http://127.0.0.1:{DEFAULT_CONTROL_PORT}"
_CODES_HELP = "部门代码（GONGAN、SIFA、WEIJIAN、MINZHENG、GJJ、YIBAO），可重复"


def _district(
    data_dir: Path, *, seed: int | None, persons: int | None, as_of: str | None
) -> DistrictManifest:
    """The loaded district's manifest (or the demo defaults), with the options applied."""
    loaded = read_manifest(data_dir / "demo")
    base = loaded or DistrictManifest(DEFAULT_SEED, DEFAULT_PERSONS, SystemClock().today())
    return DistrictManifest(
        seed=base.seed if seed is None else seed,
        persons=base.persons if persons is None else persons,
        as_of=base.as_of if as_of is None else _parse_date(as_of, "--as-of"),
    )


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{option} 应为 YYYY-MM-DD 格式的日期：{text}") from None


def _initial_modes(**codes_by_mode: list[str]) -> dict[str, Mode]:
    modes: dict[str, Mode] = {}
    for mode_name, codes in codes_by_mode.items():
        for code in codes:
            modes[department(code).code] = Mode(mode_name)
    return modes


def _mode_text(status: DepartmentStatus) -> str:
    if status.mode is Mode.SLOW:
        return f"{status.mode.label}（{status.delay:g} 秒）"
    return status.mode.label


def print_departments(statuses: list[DepartmentStatus]) -> None:
    table = Table("部门代码", "部门", "地址", "模式")
    table.columns[2].no_wrap = True  # a URL must stay copyable
    for status in statuses:
        label = DepartmentKind(status.kind).label
        table.add_row(status.code, label, status.url, _mode_text(status))
    console.print(table)


def _publish_files(sims: PartnerSimulators, data_dir: Path, sifa_url: str) -> None:
    datasets = sims.datasets()
    prisoners = datasets.feed(PRISONERS).records()
    # The district's records stand as at the start of its as-of day (Beijing time), so a
    # restart publishes the same table — the same change times — and a feed read by change
    # time does not take every row again.
    as_of = datetime.combine(sims.config.district.as_of, time(), tzinfo=CHINA_TZ)
    with sifa_engine(sifa_url) as engine:
        publish_sifa_table(engine, prisoners, updated_at=min(as_of, sims.config.clock.now()))
    console.print(f"司法共享库表 sifa_prisoner_changes：{len(prisoners)} 行（{sifa_url}）")
    for path in write_inbox(data_dir, datasets):
        console.print(f"文件交换（GB18030）：{path}")


def _stop_on_terminate() -> threading.Event:
    """An event set by SIGTERM; installed before anything starts, so a service manager (or a
    test) stopping us early still gets the orderly shutdown."""
    stop = threading.Event()

    def on_terminate(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_terminate)
    return stop


def _wait_for_interrupt(stop: threading.Event) -> None:
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


@contextmanager
def demo_partners(
    data_dir: Path,
    config: SimulatorConfig,
    sifa_database_url: str | None = None,
    sifa_watermark: str = SIFA_WATERMARK_INTEGER,
) -> Iterator[PartnerSimulators]:
    """Start the simulated departments and publish what the platform reads from them: the
    registry (with the demo feeds, 司法's table read by ``sifa_watermark``), the 司法 shared
    table and the 卫健/民政 inbox files."""
    district = config.district
    console.print(
        f"模拟辖区：种子 {district.seed}，{district.persons} 人，数据截止 {district.as_of}"
    )
    registry_file = registry_path(data_dir)
    sifa_url = sifa_database_url or default_sifa_url(data_dir)
    with running_partners(config) as sims:
        registry = sims.registry().with_demo_feeds(sifa_url, sifa_watermark=sifa_watermark)
        write_registry(registry_file, registry)
        _publish_files(sims, data_dir, sifa_url)
        print_departments(sims.statuses())
        console.print(f"协同部门登记文件：{registry_file}（权限 0600）")
        console.print(f"控制服务：{sims.control_url}（retirelink partners mode 部门 模式）")
        yield sims


def demo_config(data_dir: Path, *, base_port: int, control_port: int) -> SimulatorConfig:
    """The simulators of the loaded demo district, keeping the keys already registered."""
    return SimulatorConfig(
        district=_district(data_dir, seed=None, persons=None, as_of=None),
        keys=shared_keys(read_registry(registry_path(data_dir))),
        base_port=base_port,
        control_port=control_port,
    )


@app.command(help="启动模拟协同部门，直到按 Ctrl-C")
@reports_errors
def serve(
    base_port: int = typer.Option(
        DEFAULT_BASE_PORT, min=0, max=65535, help="首个部门的端口（0：随机空闲端口）"
    ),
    control_port: int = typer.Option(DEFAULT_CONTROL_PORT, min=0, max=65535, help="控制服务端口"),
    slow: list[str] = typer.Option([], help=f"响应缓慢的{_CODES_HELP}"),
    down: list[str] = typer.Option([], help=f"停机的{_CODES_HELP}"),
    garbage: list[str] = typer.Option([], help=f"返回乱码的{_CODES_HELP}"),
    error: list[str] = typer.Option([], help=f"返回 500 的{_CODES_HELP}"),
    delay: float = typer.Option(DEFAULT_DELAY, min=0, help="响应缓慢时的延迟（秒）"),
    persons: int | None = typer.Option(None, min=1, help="辖区人数（默认取演示辖区清单）"),
    seed: int | None = typer.Option(None, help="随机种子（默认取演示辖区清单）"),
    as_of: str | None = typer.Option(None, help="数据截止日期 YYYY-MM-DD（默认取演示辖区清单）"),
    sifa_database_url: str | None = typer.Option(
        None, help="司法共享库表所在数据库（默认 <数据目录>/partners/sifa.db）"
    ),
    sifa_watermark: str = typer.Option(
        SIFA_WATERMARK_INTEGER,
        help="平台读取司法共享库表的水位：integer（序号 seq）或 timestamp（更新时间 updated_at）",
    ),
) -> None:
    if sifa_watermark not in (SIFA_WATERMARK_INTEGER, SIFA_WATERMARK_TIMESTAMP):
        raise InvalidInputError(
            f"--sifa-watermark 只能是 {SIFA_WATERMARK_INTEGER} 或 {SIFA_WATERMARK_TIMESTAMP}"
        )
    stop = _stop_on_terminate()
    data_dir = settings_from_env().data_dir
    config = SimulatorConfig(
        district=_district(data_dir, seed=seed, persons=persons, as_of=as_of),
        keys=shared_keys(read_registry(registry_path(data_dir))),
        base_port=base_port,
        control_port=control_port,
        modes=_initial_modes(slow=slow, down=down, garbage=garbage, error=error),
        slow_delay=delay,
    )
    with demo_partners(data_dir, config, sifa_database_url, sifa_watermark):
        console.print("模拟部门运行中，按 Ctrl-C 停止")
        _wait_for_interrupt(stop)
    console.print("模拟部门已停止")


def _control_call(method: str, url: str, json: object = None) -> httpx.Response:
    try:
        return httpx.request(method, url, json=json, timeout=30)
    except httpx.TransportError:
        raise UnavailableError(
            f"无法连接模拟部门控制服务 {url}，请先运行 retirelink partners serve"
        ) from None


def _statuses(control: str) -> list[DepartmentStatus]:
    response = _control_call("GET", f"{control.rstrip('/')}/departments")
    return [DepartmentStatus.from_dict(entry) for entry in response.json()["departments"]]


@app.command(help="切换模拟部门的运行模式：normal、slow、down、garbage、error")
@reports_errors
def mode(
    code: str = typer.Argument(..., help="部门代码，如 GONGAN"),
    new_mode: str = typer.Argument(..., metavar="MODE", help="normal/slow/down/garbage/error"),
    delay: float | None = typer.Option(None, min=0, help="slow 模式的延迟（秒）"),
    control: str = typer.Option(DEFAULT_CONTROL, help="控制服务地址"),
) -> None:
    chosen, dept = parse_mode(new_mode), department(code)
    url = f"{control.rstrip('/')}/departments/{dept.code}/mode"
    response = _control_call("POST", url, {"mode": chosen.value, "delay": delay})
    if response.status_code != 200:
        raise InvalidInputError(f"控制服务拒绝了请求：{response.json().get('error')}")
    status = DepartmentStatus.from_dict(response.json())
    console.print(f"{status.name}（{status.code}）已切换为：{_mode_text(status)}")
    print_departments(_statuses(control))


@app.command(help="列出模拟部门的地址和运行模式")
@reports_errors
def status(control: str = typer.Option(DEFAULT_CONTROL, help="控制服务地址")) -> None:
    print_departments(_statuses(control))


@app.command("push-death", help="以公安身份向平台推送一条死亡注销通知（签名，核验回执）")
@reports_errors
def push_death(
    id_number: str = typer.Argument(..., help="公民身份号码"),
    died_on: str = typer.Option(..., "--date", help="死亡日期 YYYY-MM-DD"),
    platform: str = typer.Option(DEFAULT_PLATFORM, help="平台地址"),
    message_id: str | None = typer.Option(None, help="消息编号（默认由号码和日期生成）"),
) -> None:
    data_dir = settings_from_env().data_dir
    registry = read_registry(registry_path(data_dir))
    if registry is None:
        raise NotFoundError("未找到协同部门登记文件，请先运行 retirelink partners serve")
    gongan = registry.entry("GONGAN")
    day = _parse_date(died_on, "--date")
    number = parse_id_number(id_number, on=SystemClock().today()).value
    person = find_person(_district(data_dir, seed=None, persons=None, as_of=None), number)
    if person is None:
        raise NotFoundError(f"公安户籍数据中没有公民身份号码 {number}", field="id_number")
    result = push_notices(
        platform,
        client_id=gongan.client_id,
        key=gongan.key,
        item=DEATH_CANCELLATION,
        message_id=message_id or death_message_id(number, day),
        records=[death_notice(number, person.name, day)],
    )
    labels = {"applied": "已受理", "duplicate": "重复报送（返回首次回执）", "rejected": "已拒收"}
    console.print(f"{person.name}（{number}）死亡注销通知：{labels[result.status]}")
    console.print(f"回执 {result.receipt.receipt_id}，签名与载荷摘要已核验")
    for issue in result.issues:
        err_console.print(
            f"[red]第 {issue.get('row')} 行 {issue.get('field')}：{issue.get('message')}[/red]"
        )
    if result.status == "rejected":
        raise typer.Exit(1)
