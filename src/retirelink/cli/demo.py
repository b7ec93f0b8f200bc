from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from retirelink.archives.holdings import Archive
from retirelink.archives.ingest import ScanExaminer, ingest_batch, plan_folder
from retirelink.archives.reception import warehouse_check, window_check
from retirelink.bootstrap import Services
from retirelink.cli.context import console, err_console, open_services, reports_errors
from retirelink.demo.archive_folders import (
    PLANTED_FILE,
    ArchivesOpened,
    ArchivesWritten,
    open_demo_archives,
    write_demo_archives,
)
from retirelink.demo.bulk import write_bulk
from retirelink.demo.employers import generate_employers
from retirelink.demo.fund_bulk import write_fund_bulk
from retirelink.demo.generator import generate_district, iter_persons
from retirelink.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from retirelink.demo.manifest import read_manifest
from retirelink.demo.model import DemoPerson
from retirelink.demo.nearing import (
    EMPLOYER_ACCOUNT,
    PERSON_ACCOUNT,
    applicant_accounts,
    catalogue_nearing,
)
from retirelink.security.model import SYSTEM_ACTOR

app = typer.Typer(help="演示数据（峰峰矿区模拟辖区）", no_args_is_help=True)

DEFAULT_SEED = 130406


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@app.command(help="生成并加载演示辖区（经由真实业务服务，逐条留痕）")
@reports_errors
def load(
    persons: int = typer.Option(20_000, min=1, max=1_000_000, help="参保人数"),
    seed: int = typer.Option(DEFAULT_SEED, help="随机种子（相同种子生成相同数据）"),
    if_empty: bool = typer.Option(False, "--if-empty", help="库中已有参保人时跳过加载"),
    archives: int = typer.Option(
        0, min=0, max=10_000, help="同时为前 N 名参保人生成档案扫描件并接收入库（数字化档案库）"
    ),
    nearing: bool = typer.Option(
        True, help="为6个月内到龄的参保人建立已编目、已审核的档案（退休预审与申请演示用）"
    ),
) -> None:
    with open_services() as services:
        if services.settings.env == "prod":
            err_console.print("[red]生产环境禁止加载演示数据[/red]")
            raise typer.Exit(2)
        services.upgrade_database()
        if if_empty and _has_persons(services):
            console.print("库中已有参保人，跳过演示数据加载")
            print_demo_accounts()
            return
        with _progress_bar() as bar:
            task = bar.add_task("加载参保人", total=persons)
            summary = load_demo(
                services,
                seed=seed,
                persons=persons,
                progress=lambda n: bar.advance(task, n),
            )
    console.print(
        f"已加载：参保人 {summary.persons_added} 人（已存在跳过 {summary.persons_skipped} 人），"
        f"单位 {summary.employers_added} 家，账号 {summary.accounts_added} 个，"
        f"部门交换文件 {len(summary.feed_files)} 个"
    )
    if archives:
        with open_services() as services:
            out = services.settings.data_dir / "demo" / "archives"
            make_demo_archives(
                services,
                out,
                persons=archives,
                seed=seed,
                workers=2,
                open_them=True,
                ingest=True,
            )
    if nearing:
        with open_services() as services:
            opened = catalogue_nearing(services, _district_persons(services, seed, persons))
            applicant_accounts(services, DEMO_PASSWORD)
        console.print(f"临近退休人员已编目档案 {opened} 份（退休预审与申请演示）")
    print_demo_accounts()


def _district_persons(services: Services, seed: int, persons: int) -> Iterator[DemoPerson]:
    """The loaded district's persons again, streamed (same seed and date as the load)."""
    manifest = read_manifest(services.settings.data_dir / "demo")
    as_of = manifest.as_of if manifest else services.clock.today()
    return iter_persons(
        seed=seed, count=persons, as_of=as_of, employers=generate_employers(seed=seed)
    )


def _has_persons(services: Services) -> bool:
    with services.uow() as uow:
        return uow.persons.count() > 0


def print_demo_accounts() -> None:
    console.print(f"演示账号（密码均为 [bold]{DEMO_PASSWORD}[/bold]）：")
    for account in DEMO_ACCOUNTS:
        console.print(f"  {account.username:<11}{account.display_name}  {account.role.label}")
    # Created with the archives of those nearing retirement (demo load --nearing).
    console.print(f"  {PERSON_ACCOUNT:<11}临近退休的参保人本人  网上申请、补充材料")
    console.print(f"  {EMPLOYER_ACCOUNT:<11}该参保人所在单位经办员  网上申报、补充材料")


@app.command(help="列出演示账号")
def accounts() -> None:
    print_demo_accounts()


@app.command(help="批量生成基准测试数据文件（CSV/Parquet，不写数据库）")
def bulk(
    out: Path = typer.Argument(..., help="输出目录"),
    persons: int = typer.Option(10_000_000, min=1, help="参保人数"),
    seed: int = typer.Option(DEFAULT_SEED, help="随机种子"),
) -> None:
    with open_services() as services, _progress_bar() as bar:
        task = bar.add_task("生成", total=persons)
        summary = write_bulk(
            out,
            seed=seed,
            persons=persons,
            as_of=services.clock.today(),
            progress=lambda n: bar.advance(task, n),
        )
    for file in summary.files:
        console.print(f"  {file.path}  {file.rows} 行  {file.bytes / 1e6:.1f} MB")
    console.print(f"共 {summary.persons} 人，用时 {summary.seconds:.1f} 秒")


@app.command(
    "fund-bulk",
    help="生成基金安全批量核查的基准数据（Parquet：待遇名册、发放、部门数据、生存迹象，"
    "另有 planted.parquet 预置异常答案表；不写数据库）",
)
@reports_errors
def fund_bulk(
    out: Path = typer.Option(..., "--out", help="输出目录"),
    pensioners: int = typer.Option(10_000_000, min=1, help="职工养老金领取人数（含机关事业）"),
    residents: int = typer.Option(2_000_000, min=0, help="城乡居民养老金领取人数"),
    deaths: int = typer.Option(1_000_000, min=0, help="公安、卫健、民政死亡记录条数"),
    imprisonments: int = typer.Option(100_000, min=0, help="司法服刑等记录条数"),
    seed: int = typer.Option(DEFAULT_SEED, help="随机种子（相同种子生成相同数据）"),
    as_of: datetime = typer.Option(
        "2026-11-30", "--as-of", formats=["%Y-%m-%d"], help="核查日（发放截至该月）"
    ),
) -> None:
    with _progress_bar() as bar:
        task = bar.add_task("生成待遇名册", total=pensioners + residents)
        summary = write_fund_bulk(
            out,
            pensioners=pensioners,
            residents=residents,
            deaths=deaths,
            imprisonments=imprisonments,
            seed=seed,
            as_of=as_of.date(),
            progress=lambda n: bar.advance(task, n),
        )
    for table, path in summary.paths.items():
        console.print(f"  {path}  {summary.rows[table]} 行  {path.stat().st_size / 1e6:.1f} MB")
    planted = "，".join(f"{code} {count}" for code, count in sorted(summary.planted.items()))
    console.print(f"预置异常：{planted}")
    console.print(f"用时 {summary.seconds:.1f} 秒")


@app.command(
    help="生成演示辖区的档案扫描件：每个档案一个以档案号命名的文件夹（catalogue.csv 与"
    "“类号_材料序号_页号”命名的页面图像），另有 archives.json 与 planted.json（预置缺陷清单）"
)
@reports_errors
def archives(
    out: Path = typer.Option(..., "--out", help="输出目录"),
    persons: int = typer.Option(50, min=1, max=1_000_000, help="生成前 N 名参保人的档案"),
    seed: int | None = typer.Option(
        None, help="随机种子（默认：已加载辖区的种子，未加载时为 130406）"
    ),
    workers: int = typer.Option(2, min=1, max=16, help="并行绘制页面的进程数"),
    open_in_repository: bool = typer.Option(
        False, "--open", help="同时为已登记的参保人建档并按 catalogue.csv 编目"
    ),
    ingest: bool = typer.Option(
        False,
        "--ingest",
        help="建档后接收扫描件；无问题的批次由演示账号 clerk 初审、reviewer 复审入库",
    ),
) -> None:
    with open_services() as services:
        make_demo_archives(
            services,
            out,
            persons=persons,
            seed=seed,
            workers=workers,
            open_them=open_in_repository or ingest,
            ingest=ingest,
        )


def make_demo_archives(
    services: Services,
    out: Path,
    *,
    persons: int,
    seed: int | None,
    workers: int,
    open_them: bool,
    ingest: bool,
) -> None:
    """Render the first ``persons`` archives of the district; open, catalogue and ingest them
    into the repository if asked."""
    # The district demo load wrote, when there is one: same persons, same ID numbers.
    manifest = read_manifest(services.settings.data_dir / "demo")
    district_seed = seed if seed is not None else manifest.seed if manifest else DEFAULT_SEED
    as_of = manifest.as_of if manifest and seed is None else services.clock.today()
    district = generate_district(seed=district_seed, persons=persons, as_of=as_of)
    with _progress_bar() as bar:
        task = bar.add_task("绘制档案", total=persons)
        written = write_demo_archives(
            district, out, workers=workers, progress=lambda n: bar.advance(task, n)
        )
    _print_written(written, out)
    if open_them:
        services.upgrade_database()
        with _progress_bar() as bar, ScanExaminer(services.blobs, workers=workers) as examiner:
            hook = partial(ingest_demo_folder, examiner=examiner) if ingest else None
            task = bar.add_task("建档与接收扫描件", total=written.archives)
            opened = open_demo_archives(
                services, out, ingest=hook, progress=lambda n: bar.advance(task, n)
            )
        _print_opened(opened)


def ingest_demo_folder(
    services: Services, archive: Archive, folder: Path, *, examiner: ScanExaminer | None = None
) -> None:
    """Ingest an archive's demo scans; a batch without problems goes through both reception
    checks (demo clerk, then demo reviewer), the others wait in the review queue."""
    assert archive.id is not None
    with services.uow() as uow:
        files = plan_folder(uow, archive.id, folder)
        report = ingest_batch(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id,
            files=files,
            store=services.blobs,
            examiner=examiner,
        )
    batch = report.batch
    if batch.id is None or batch.files_failed or batch.pages_with_errors:
        return
    for username, check in (("clerk", window_check), ("reviewer", warehouse_check)):
        with services.uow() as uow:
            account = uow.users.get_by_username(username)
            if account is None:
                return
            check(uow, actor=account.actor(), batch_id=batch.id, passed=True)


def _print_written(written: ArchivesWritten, out: Path) -> None:
    console.print(
        f"已生成档案 {written.archives} 份：材料 {written.materials} 份，"
        f"文件 {written.files} 个，页面 {written.pages} 页，{written.bytes / 2**20:.1f} MB；"
        f"用时 {written.seconds:.1f} 秒，{written.pages_per_second:.1f} 页/秒，"
        f"平均每页 {written.bytes_per_page / 1024:.0f} KB"
    )
    planted = "，".join(f"{code} {count}" for code, count in written.planted.items())
    console.print(f"预置缺陷（见 {out / PLANTED_FILE}）：{planted or '无'}")


def _print_opened(opened: ArchivesOpened) -> None:
    console.print(
        f"已建档 {opened.opened} 份、编目材料 {opened.materials} 份；"
        f"已有档案跳过 {opened.already_open} 份，"
        f"参保人未登记跳过 {opened.not_registered} 份"
    )
