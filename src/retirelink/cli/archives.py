"""`retirelink archives`: open archives, load catalogues, ingest scans, check fixity."""

import csv
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from retirelink.archives.cataloguing import catalogue_material, open_archive, parse_catalogue_rows
from retirelink.archives.fixity import FixityReport, check_fixity
from retirelink.archives.holdings import Archive, IngestBatch
from retirelink.archives.ingest import IngestReport, ScanExaminer, ingest_batch, plan_folder
from retirelink.archives.material_classes import ArchiveKind
from retirelink.archives.ocr import job_counts
from retirelink.archives.ocr_engine import ocr_available
from retirelink.bootstrap import Services
from retirelink.cli.context import acting_user as _actor
from retirelink.cli.context import console, err_console, open_services, reports_errors
from retirelink.errors import InvalidInputError, NotFoundError, UnavailableError
from retirelink.exchange.decoding import open_text
from retirelink.security.model import Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork

app = typer.Typer(help="档案数字化资源库：建档、编目、扫描件入库、完整性校验", no_args_is_help=True)

CATALOGUE_FILE = "catalogue.csv"
_USER_HELP = "以该用户身份办理（默认：系统命令行）"


@app.command("open", help="为已登记的参保人建立档案")
@reports_errors
def open_command(
    id_number: str = typer.Option(..., "--id-number", help="公民身份号码"),
    number: str = typer.Option(..., help="档案号"),
    kind: ArchiveKind = typer.Option(ArchiveKind.ENTERPRISE_WORKER, help="档案类别"),
    custodian: str = typer.Option(..., help="保管单位"),
    location: str = typer.Option("", help="存放位置（库房-架-层）"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        archive = open_archive(
            uow,
            actor=_actor(uow, user),
            id_number=id_number,
            archive_number=number,
            kind=kind,
            custodian=custodian,
            location=location,
        )
        uow.commit()
    console.print(f"已建立档案 {archive.archive_number}（{archive.kind.label}）")


@app.command(help="导入材料目录（CSV，表头：类号,序号,材料名称,材料类型,形成时间,页数）")
@reports_errors
def catalogue(
    number: str = typer.Argument(..., help="档案号"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        archive = _archive(uow, number)
        count = _load_catalogue(uow, _actor(uow, user), archive, file)
        uow.commit()
    console.print(f"档案 {number}：已编目 {count} 份材料")


@app.command(
    help="扫描件入库：DIR 为一个档案文件夹（以档案号命名）或其上级目录；"
    f"文件名为“类号_材料序号_页号.扩展名”，文件夹中的 {CATALOGUE_FILE} 先编目"
)
@reports_errors
def ingest(
    directory: Path = typer.Argument(..., exists=True, file_okay=False, help="扫描件目录"),
    workers: int = typer.Option(2, min=1, max=16, help="并行处理的进程数"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    folders = _archive_folders(directory)
    failed = False
    with open_services() as services, ScanExaminer(services.blobs, workers=workers) as examiner:
        for folder in folders:
            report = _ingest_folder(services, folder, examiner, user)
            _print_report(folder.name, report)
            failed = failed or report.batch.files_failed > 0
    if failed:
        raise typer.Exit(1)


def _archive_folders(directory: Path) -> list[Path]:
    has_files = any(p.is_file() and not p.name.startswith(".") for p in directory.iterdir())
    if has_files:
        return [directory]
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InvalidInputError("目录中没有扫描件，也没有以档案号命名的子文件夹")
    return folders


def _ingest_folder(
    services: Services, folder: Path, examiner: ScanExaminer, user: str | None
) -> IngestReport:
    with services.uow() as uow:
        actor = _actor(uow, user)
        archive = _archive(uow, folder.name)
        assert archive.id is not None
        sheet = folder / CATALOGUE_FILE
        if sheet.exists() and not uow.materials.for_archive(archive.id):
            _load_catalogue(uow, actor, archive, sheet)
            uow.commit()
        files = plan_folder(uow, archive.id, folder)
        if not files:
            raise InvalidInputError(f"档案文件夹 {folder.name} 中没有扫描件")
        with _progress() as bar:
            task = bar.add_task(f"档案 {folder.name}", total=len(files))
            return ingest_batch(
                uow,
                actor=actor,
                archive_id=archive.id,
                files=files,
                store=services.blobs,
                examiner=examiner,
                progress=lambda _file: bar.advance(task),
            )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def _archive(uow: SqlAlchemyUnitOfWork, number: str) -> Archive:
    archive = uow.archives.get_by_number(number.strip())
    if archive is None or archive.id is None:
        raise NotFoundError(f"档案号 {number} 不存在，请先建档（retirelink archives open）")
    return archive


def _load_catalogue(uow: SqlAlchemyUnitOfWork, actor: Actor, archive: Archive, file: Path) -> int:
    text, _encoding = open_text(file)
    with text:
        rows = list(csv.reader(text))
    entries = parse_catalogue_rows(rows)
    assert archive.id is not None
    for entry in entries:
        catalogue_material(uow, actor=actor, archive_id=archive.id, entry=entry)
    return len(entries)


def _print_report(name: str, report: IngestReport) -> None:
    batch = report.batch
    console.print(_batch_line(name, batch))
    table = Table("文件", "结果", "页数", "说明")
    for item in report.items:
        if item.status.value == "ok":
            continue
        details = "；".join([item.message_zh, *(issue.message_zh for issue in item.issues)])
        table.add_row(item.file_name, item.status.label, str(item.pages), details)
    if table.row_count:
        console.print(table)
    for issue in batch.batch_issues:
        console.print(f"[yellow]{issue.severity.label}：{issue.message_zh}[/yellow]")


def _batch_line(name: str, batch: IngestBatch) -> str:
    return (
        f"档案 {name} 批次 {batch.id}：文件 {batch.files_total} 个，页面 {batch.pages_total} 页，"
        f"失败 {batch.files_failed}，重复 {batch.files_duplicate}，"
        f"不合格页 {batch.pages_with_errors}，提示页 {batch.pages_with_warnings}"
        f"（状态：{batch.status.label}）"
    )


@app.command(help="完整性校验：重新读取每个存储文件，核对大小、SHA-256 和 SM3 摘要")
@reports_errors
def fixity(
    workers: int = typer.Option(2, min=1, max=16, help="并行读取的进程数"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        count, total = uow.blobs.count_and_bytes()
        with Progress(
            TextColumn("完整性校验"),
            BarColumn(),
            MofNCompleteColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=err_console,
        ) as bar:
            task = bar.add_task("fixity", total=count)
            report = check_fixity(
                uow,
                actor=_actor(uow, user),
                store=services.blobs,
                workers=workers,
                progress=lambda blobs, _bytes: bar.update(task, completed=blobs),
            )
    _print_fixity(report, total)
    if not report.ok:
        raise typer.Exit(1)


def _print_fixity(report: FixityReport, recorded_bytes: int) -> None:
    console.print(
        f"已校验 {report.blobs_checked} 个文件，{report.bytes_checked / 2**20:.1f} MB"
        f"（登记 {recorded_bytes / 2**20:.1f} MB），用时 {report.seconds:.1f} 秒，"
        f"{report.megabytes_per_second:.0f} MB/秒；存储：{report.store}"
    )
    if report.ok:
        console.print("[green]全部文件完好[/green]")
        return
    table = Table("SHA-256", "问题", "说明")
    for problem in report.problems:
        table.add_row(problem.sha256, problem.kind.label, problem.message_zh)
    console.print(table)
    console.print(f"[red]发现 {report.problems_total} 个问题[/red]")


@app.command(help="文字识别：处理排队中的页面（Web 服务运行时由后台自动处理）")
@reports_errors
def ocr(
    limit: int = typer.Option(0, min=0, help="最多处理的页数（0：处理完为止）"),
) -> None:
    if not ocr_available():
        raise UnavailableError(
            "未安装文字识别组件：请安装 retirelink[ocr]（rapidocr 与 onnxruntime）"
        )
    done = failed = retried = 0
    with open_services() as services:
        with services.uow() as uow:
            waiting = job_counts(uow).get("queued", 0)
        with _progress() as bar:
            task = bar.add_task("文字识别", total=limit or waiting)
            while limit == 0 or done + failed < limit:
                round_size = 10 if limit == 0 else min(10, limit - done - failed)
                summary = services.run_ocr(round_size)
                done, failed, retried = (
                    done + summary.done,
                    failed + summary.failed,
                    retried + summary.retried,
                )
                bar.advance(task, summary.done + summary.failed)
                if summary.done + summary.failed + summary.retried == 0:
                    break
                for error in summary.errors:
                    err_console.print(f"[yellow]{error}[/yellow]")
    console.print(f"已识别 {done} 页，失败 {failed} 页，稍后重试 {retried} 页")
