"""卫健 and 民政 file drops: their feeds as GB18030 CSV files in the platform's inbox.

Hospitals' and funeral homes' systems typically export GBK/GB18030 CSV with Chinese headers
and Windows line ends; the files here look the same so the platform's file import (encoding
detection, header aliases, row checks) is exercised for real. The first five columns are the
headers the importer requires (``PARTNER_EVENT_HEADERS``); the rest are extra columns it
ignores. No extra column may be another alias of a required one (``死亡日期`` and
``火化日期`` are aliases of 事件日期), or the importer would refuse the file.

Files go to ``<data_dir>/partners/inbox/<DEPT>/<DEPT>_<item name>_<as_of YYYYMMDD>.csv``:
one file per department holding its whole feed up to the district's as_of date.
"""

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from retirelink.demo.model import PartnerRecordKind
from retirelink.partners.data import PartnerDatasets
from retirelink.partners.model import CREMATION, DEATH_CERTIFICATE

ENCODING = "gb18030"
EVENT_COLUMNS = ("公民身份号码", "姓名", "事件日期", "结束日期", "记录类型")

Row = Sequence[str]


def _certificate_row(fields: Mapping[str, str]) -> Row:
    died_on = fields["swsj"][:10]  # 'YYYY-MM-DD HH:MM'
    label = PartnerRecordKind.DEATH_CERTIFICATE.label
    extra = (fields["xb"], fields["swsj"], fields["zmbh"], fields["qfjg"])
    return (fields["sfzh"], fields["xm"], died_on, "", label, *extra)


def _cremation_row(fields: Mapping[str, str]) -> Row:
    label = PartnerRecordKind.CREMATION.label
    return (fields["SFZH"], fields["XM"], fields["HHRQ"], "", label, fields["XB"], fields["BYG"])


# item -> (department code, extra headers, row of the file from a feed record)
_LAYOUTS: Mapping[str, tuple[str, tuple[str, ...], Callable[[Mapping[str, str]], Row]]] = {
    DEATH_CERTIFICATE: ("WEIJIAN", ("性别", "死亡时间", "证明编号", "签发机构"), _certificate_row),
    CREMATION: ("MINZHENG", ("性别", "殡仪馆"), _cremation_row),
}


def inbox_dir(data_dir: Path, code: str) -> Path:
    return data_dir / "partners" / "inbox" / code


def inbox_file_name(code: str, item: str, as_of: date) -> str:
    return f"{code}_{item.split('.', 1)[1]}_{as_of:%Y%m%d}.csv"


def write_csv(path: Path, header: Row, rows: Iterable[Row]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle)  # excel dialect: CRLF line ends, as exported on Windows
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_inbox(data_dir: Path, datasets: PartnerDatasets) -> tuple[Path, ...]:
    """Write the 卫健 and 民政 files; the same datasets always give the same bytes."""
    paths = []
    for item, (code, extra, to_row) in _LAYOUTS.items():
        feed = datasets.feed(item)
        path = inbox_dir(data_dir, code) / inbox_file_name(code, item, datasets.district.as_of)
        rows = (to_row(record.fields) for record in feed.records())
        paths.append(write_csv(path, EVENT_COLUMNS + extra, rows))
    return tuple(paths)
