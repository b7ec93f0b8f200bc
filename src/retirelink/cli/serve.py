import typer
import uvicorn

from retirelink.cli.context import console, settings_from_env
from retirelink.storage import migrate


def serve(
    host: str | None = typer.Option(None, help="监听地址（默认取 RETIRELINK_HOST）"),
    port: int | None = typer.Option(None, help="端口（默认取 RETIRELINK_PORT）"),
    upgrade: bool = typer.Option(True, help="启动前把数据库升级到最新结构"),
) -> None:
    settings = settings_from_env()
    if upgrade:
        migrate.upgrade(settings.database_url)
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"退休档案协同共享平台 已启动：[bold]http://{bind_host}:{bind_port}[/bold]")
    # A factory path, not an import: the CLI and the web app stay independent entrypoints.
    uvicorn.run(
        "retirelink.web.app:app_from_env",
        factory=True,
        host=bind_host,
        port=bind_port,
        log_level="warning",
    )
