import typer

app = typer.Typer(help="演示数据", no_args_is_help=True)
