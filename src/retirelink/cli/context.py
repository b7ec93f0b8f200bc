"""Shared CLI plumbing: settings, services, and 中文 error output."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import OperationalError

from retirelink.bootstrap import Services, build
from retirelink.config import Settings, load_settings
from retirelink.errors import NotFoundError, RetireLinkError
from retirelink.security.model import SYSTEM_ACTOR, Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def settings_from_env() -> Settings:
    try:
        return load_settings()
    except ValidationError as error:
        messages = "; ".join(str(item["msg"]) for item in error.errors())
        err_console.print(f"[red]配置错误：{messages}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def open_services() -> Iterator[Services]:
    services = build(settings_from_env())
    try:
        yield services
    finally:
        services.close()


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected errors into a 中文 message and exit code 1 instead of a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except RetireLinkError as error:
            where = f"（{error.field}）" if error.field else ""
            err_console.print(f"[red]错误{where}：{error.message}[/red]")
            raise typer.Exit(1) from None
        except OperationalError:
            err_console.print("[red]错误：无法连接数据库，请检查 RETIRELINK_DATABASE_URL[/red]")
            raise typer.Exit(1) from None

    return wrapper


def acting_user(uow: SqlAlchemyUnitOfWork, username: str | None) -> Actor:
    """The actor a command runs as: a named active account, or the console (系统命令行)."""
    if username is None:
        return SYSTEM_ACTOR
    account = uow.users.get_by_username(username)
    if account is None or not account.active:
        raise NotFoundError(f"用户“{username}”不存在或已停用", field="user")
    return account.actor()
