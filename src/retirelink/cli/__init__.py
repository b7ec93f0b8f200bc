"""The `retirelink` command: one Typer sub-app per feature."""

import typer

from retirelink.cli.applications import app as applications_app
from retirelink.cli.archives import app as archives_app
from retirelink.cli.db import app as db_app
from retirelink.cli.demo import app as demo_app
from retirelink.cli.departments import app as departments_app
from retirelink.cli.exchange import app as exchange_app
from retirelink.cli.fund import app as fund_app
from retirelink.cli.ledger import app as ledger_app
from retirelink.cli.partners import app as partners_app
from retirelink.cli.prereview import app as prereview_app
from retirelink.cli.rules import app as rules_app
from retirelink.cli.serve import serve
from retirelink.cli.users import app as users_app

app = typer.Typer(
    name="retirelink",
    help="退休档案协同共享平台 命令行工具",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve", help="启动 Web 服务")(serve)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(departments_app, name="departments")
app.add_typer(ledger_app, name="ledger")
app.add_typer(rules_app, name="rules")
app.add_typer(exchange_app, name="exchange")
app.add_typer(partners_app, name="partners")
app.add_typer(archives_app, name="archives")
app.add_typer(prereview_app, name="prereview")
app.add_typer(applications_app, name="apply")
app.add_typer(fund_app, name="fund")


def main() -> None:
    app()
