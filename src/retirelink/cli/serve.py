from contextlib import ExitStack

import typer
import uvicorn

from retirelink.cli.context import console, settings_from_env
from retirelink.cli.partners import demo_config, demo_partners
from retirelink.partners.server import DEFAULT_BASE_PORT, DEFAULT_CONTROL_PORT
from retirelink.storage import migrate


def serve(
    host: str | None = typer.Option(None, help="监听地址（默认取 RETIRELINK_HOST）"),
    port: int | None = typer.Option(None, help="端口（默认取 RETIRELINK_PORT）"),
    upgrade: bool = typer.Option(True, help="启动前把数据库升级到最新结构"),
    partners: bool = typer.Option(
        False, help="同时在本进程中启动模拟协同部门和外省节点（演示用，端口 8100–8109）"
    ),
    workers: int = typer.Option(1, min=1, max=64, help="Web 工作进程数（多核服务器可设为核数）"),
) -> None:
    settings = settings_from_env()
    if upgrade:
        migrate.upgrade(settings.database_url)
    with ExitStack() as stack:
        if partners:
            config = demo_config(
                settings.data_dir, base_port=DEFAULT_BASE_PORT, control_port=DEFAULT_CONTROL_PORT
            )
            stack.enter_context(demo_partners(settings.data_dir, config))
        _run(host or settings.host, port or settings.port, workers)


def _run(bind_host: str, bind_port: int, workers: int) -> None:
    console.print(f"退休档案协同共享平台 已启动：[bold]http://{bind_host}:{bind_port}[/bold]")
    # A factory path, not an import: the CLI and the web app stay independent entrypoints.
    uvicorn.run(
        "retirelink.web.app:app_from_env",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        log_level="warning",
    )
