"""Running a producer in a second process while this one consumes (the machine's other core).

A large transfer spends about half its time reading and validating rows and half applying
them; both are Python, so threads cannot overlap them. ``in_child_process`` runs the reading
side in a spawned process and hands its items over a bounded queue (``depth`` items ahead, so
memory stays flat), turning the two halves into a pipeline. Expected errors raised by the
producer (``RetireLinkError``) reach the consumer with their category, message and field;
closing the consumer early stops the child.
"""

import multiprocessing
import queue
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from retirelink import errors
from retirelink.errors import RetireLinkError

T = TypeVar("T")

_ITEM, _ERROR, _DONE = "item", "error", "done"
_POLL_SECONDS = 1.0


class ChildProcessError(RetireLinkError):
    """The producing process failed unexpectedly (crashed or raised an unexpected error)."""


def in_child_process(
    produce: Callable[..., Iterator[T]], *args: Any, depth: int = 4
) -> Iterator[T]:
    """The items of ``produce(*args)``, computed in a spawned child process.

    ``produce`` and ``args`` must be picklable (a module-level function and plain values).
    """
    # spawn, not fork: the parent may hold database connections and threads.
    context = multiprocessing.get_context("spawn")
    channel: Any = context.Queue(maxsize=depth)
    child = context.Process(target=_run, args=(produce, args, channel), daemon=True)
    child.start()
    try:
        while True:
            kind, payload = _next(channel, child)
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise _rebuild(payload)
            yield payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()
        channel.join_thread()


def _next(channel: Any, child: Any) -> tuple[str, Any]:
    while True:
        try:
            message: tuple[str, Any] = channel.get(timeout=_POLL_SECONDS)
            return message
        except queue.Empty:
            if not child.is_alive():
                raise ChildProcessError("后台读取进程意外退出，本次交换未做任何变更") from None


def _run(produce: Callable[..., Iterator[Any]], args: tuple[Any, ...], channel: Any) -> None:
    try:
        for item in produce(*args):
            channel.put((_ITEM, item))
    except RetireLinkError as error:
        channel.put((_ERROR, (type(error).__name__, error.message, error.field)))
    except Exception as error:  # report, do not hang the consumer
        channel.put((_ERROR, ("ChildProcessError", f"后台读取进程出错：{error!r}", None)))
    else:
        channel.put((_DONE, None))


def _rebuild(payload: tuple[str, str, str | None]) -> RetireLinkError:
    name, message, field = payload
    category = getattr(errors, name, None)
    if name == ChildProcessError.__name__:
        category = ChildProcessError
    if not (isinstance(category, type) and issubclass(category, RetireLinkError)):
        category = ChildProcessError
    return category(message, field=field)
