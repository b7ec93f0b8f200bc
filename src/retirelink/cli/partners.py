"""`retirelink partners`: run the simulated partner departments, switch their modes, push.

``serve`` plays 公安, 司法, 卫健, 民政, 住建/公积金 and 医保 for the district ``demo load``
loaded (its manifest), writes the registry the platform reads, the 司法 shared table and the
卫健/民政 inbox files, then runs until Ctrl-C (``--sm2 CODE``: that department signs and
expects SM2-SM3 signatures). ``mode`` talks to its control server; ``push-death`` sends a
signed 公安 death notice to the platform; ``keygen --sm2`` makes an SM2 key pair for the
registry.
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
    PartnerRegistry,
    department_sm2_keys,
    platform_sm2_key,
    read_registry,
    read_sm2_keys,
    registry_path,
    shared_keys,
    sm2_keys_path,
    write_registry,
    write_secret_json,
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
from retirelink.security.sm2 import ALGORITHM as SM2_ALGORITHM
from retirelink.security.sm2 import SM2PrivateKey, generate_keypair

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


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (Ctrl-C), installed before anything starts, so a
    service manager (or a test) stopping us early still gets the orderly shutdown; the
    previous handlers are put back after. SIGINT is handled explicitly: started in the
    background by a shell without job control (nohup … &, a CI script), a process inherits
    SIGINT ignored, and Python then installs no KeyboardInterrupt for it — Ctrl-C would never
    stop the simulators."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {number: signal.signal(number, on_signal) for number in _STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


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
    existing = read_registry(registry_path(data_dir))
    return SimulatorConfig(
        district=_district(data_dir, seed=None, persons=None, as_of=None),
        keys=shared_keys(existing),
        base_port=base_port,
        control_port=control_port,
        our_sm2_key=existing.our_sm2_key if existing is not None else None,
    )


def _sm2_keys(
    data_dir: Path, codes: list[str], existing: PartnerRegistry | None
) -> tuple[dict[str, SM2PrivateKey], SM2PrivateKey | None]:
    """The SM2 keys of the departments asked to use SM2 (kept across restarts) and the
    platform's SM2 key (kept from the registry; made when a department first needs it)."""
    wanted = [department(code).code for code in codes]
    if not wanted:
        return {}, existing.our_sm2_key if existing is not None else None
    return department_sm2_keys(sm2_keys_path(data_dir), wanted), platform_sm2_key(existing)


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
    sm2: list[str] = typer.Option(
        [],
        help=f"使用 SM2-SM3 签名的{_CODES_HELP}：部门以其 SM2 私钥签名，平台须以我方 SM2 私钥签名",
    ),
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
    with _stop_on_signals() as stop:
        data_dir = settings_from_env().data_dir
        existing = read_registry(registry_path(data_dir))
        sm2_keys, our_sm2_key = _sm2_keys(data_dir, sm2, existing)
        config = SimulatorConfig(
            district=_district(data_dir, seed=seed, persons=persons, as_of=as_of),
            keys=shared_keys(existing),
            base_port=base_port,
            control_port=control_port,
            modes=_initial_modes(slow=slow, down=down, garbage=garbage, error=error),
            slow_delay=delay,
            sm2_keys=sm2_keys,
            our_sm2_key=our_sm2_key,
        )
        with demo_partners(data_dir, config, sifa_database_url, sifa_watermark):
            for code in sm2_keys:
                console.print(f"{department(code).name}（{code}）使用 {SM2_ALGORITHM} 签名（双向）")
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
    sm2: bool = typer.Option(
        False, "--sm2", help="以公安的 SM2 私钥签名（SM2-SM3；模拟部门须以 --sm2 GONGAN 启动）"
    ),
) -> None:
    data_dir = settings_from_env().data_dir
    registry = read_registry(registry_path(data_dir))
    if registry is None:
        raise NotFoundError("未找到协同部门登记文件，请先运行 retirelink partners serve")
    gongan = registry.entry("GONGAN")
    key: bytes | SM2PrivateKey = (
        _gongan_sm2_key(data_dir, gongan.sm2_public_key) if sm2 else gongan.key
    )
    day = _parse_date(died_on, "--date")
    number = parse_id_number(id_number, on=SystemClock().today()).value
    person = find_person(_district(data_dir, seed=None, persons=None, as_of=None), number)
    if person is None:
        raise NotFoundError(f"公安户籍数据中没有公民身份号码 {number}", field="id_number")
    result = push_notices(
        platform,
        client_id=gongan.client_id,
        key=key,
        item=DEATH_CANCELLATION,
        message_id=message_id or death_message_id(number, day),
        records=[death_notice(number, person.name, day)],
        receipt_key=gongan.key,
    )
    labels = {"applied": "已受理", "duplicate": "重复报送（返回首次回执）", "rejected": "已拒收"}
    algorithm = SM2_ALGORITHM if sm2 else "HMAC-SM3"
    console.print(
        f"{person.name}（{number}）死亡注销通知（{algorithm} 签名）：{labels[result.status]}"
    )
    console.print(f"回执 {result.receipt.receipt_id}，签名与载荷摘要已核验")
    for issue in result.issues:
        err_console.print(
            f"[red]第 {issue.get('row')} 行 {issue.get('field')}：{issue.get('message')}[/red]"
        )
    if result.status == "rejected":
        raise typer.Exit(1)


def _gongan_sm2_key(data_dir: Path, registered: str | None) -> SM2PrivateKey:
    """公安's own SM2 private key from the simulators' key file, checked against the public
    key the platform's registry holds for it."""
    hint = "请先以 retirelink partners serve --sm2 GONGAN 启动模拟部门"
    if registered is None:
        raise InvalidInputError(f"协同部门登记文件中公安未登记 SM2 公钥：{hint}")
    key = read_sm2_keys(sm2_keys_path(data_dir)).get("GONGAN")
    if key is None or key.public_key != registered:
        raise InvalidInputError(f"公安的 SM2 私钥与登记的公钥不一致：{hint}")
    return key


@app.command(
    help="生成签名密钥对：--sm2 生成 SM2 密钥对，私钥写入文件（权限 0600），屏幕只显示公钥"
)
@reports_errors
def keygen(
    sm2: bool = typer.Option(False, "--sm2", help="生成 SM2 密钥对（SM2-SM3 签名）"),
    out: Path = typer.Option(..., "--out", help="私钥文件（JSON，权限 0600；不覆盖已有文件）"),
) -> None:
    if not sm2:
        raise InvalidInputError("请指定密钥类型：目前只支持 --sm2（HMAC-SM3 共享密钥由双方商定）")
    if out.exists():
        raise InvalidInputError(f"文件已存在，不会覆盖：{out}", field="out")
    pair = generate_keypair()
    write_secret_json(
        out,
        {
            "algorithm": SM2_ALGORITHM,
            "private_key": pair.private_key.hex,
            "public_key": pair.public_key,
        },
    )
    console.print(f"SM2 密钥对已生成，私钥写入 {out}（权限 0600，切勿外传）")
    console.print("公钥（04‖x‖y）：")
    console.print(pair.public_key, soft_wrap=True)
    console.print(
        "作为我方密钥：把文件中的 private_key 填入登记表的 our_sm2_private_key，"
        "把公钥交给对方部门；作为对方部门的密钥：把公钥填入该部门的 sm2_public_keys。"
    )
