"""The `retirelink` command: one Typer sub-app per feature."""

import typer

from retirelink.cli import db, demo, departments, ledger, serve, users

app = typer.Typer(
    name="retirelink",
    help="退休档案协同共享平台 命令行工具",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve", help="启动 Web 服务")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(users.app, name="users")
app.add_typer(departments.app, name="departments")
app.add_typer(ledger.app, name="ledger")


def main() -> None:
    app()
