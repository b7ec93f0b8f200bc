"""Partner files as departments send them: CSV in GBK with 中文 headers."""

from tests.support.builders import make_id_number

DEATH_ITEM = "public_security.death_cancellation"

WANG = make_id_number("19500101", sequence="011")
LI = make_id_number("19520202", sequence="022")
ZHAO = make_id_number("19540303", sequence="033")
SUN = make_id_number("19560404", sequence="044")


def wrong_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("1" if last == "0" else "0")


def death_csv(rows: list[tuple[str, str, str]]) -> bytes:
    lines = ["公民身份号码,姓名,死亡日期"] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


BAD_FILE = death_csv(
    [
        (WANG, "王建国", "2026-10-01"),
        (wrong_check_digit(LI), "李秀英", "2026-10-02"),
        (ZHAO, "赵德明", "2026-02-30"),
    ]
)
GOOD_FILE = death_csv(
    [
        (WANG, "王建国", "2026-10-01"),
        (LI, "李秀英", "2026-10-02"),
        (ZHAO, "赵德明", "2026-02-28"),
    ]
)
# A later file repeating 王建国's record and adding one new death.
NEXT_FILE = death_csv(
    [
        (WANG, "王建国", "2026-10-01"),
        (SUN, "孙玉兰", "2026-11-01"),
    ]
)
