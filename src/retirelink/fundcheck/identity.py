"""Is it one human? Identity evidence for duplicate pension receipt (重复领取).

One person may draw one pension (《城乡养老保险制度衔接暂行办法》第八条; 人社厅发〔2021〕77号), so
the fund guard pairs roll rows that belong to one human however the rows spell him:

* the same 公民身份号码 in two schemes (企业职工 and 城乡居民) or in two places (两地);
* a legacy 15-digit number on one row and its 18-character upgrade on the other;
* a change of ID number and/or name (双改) where one row still carries the previous values;
* the same number with the name written differently: traditional characters (張麗), a
  homophone character (丽/莉, 伟/玮), spaces or a middle dot;
* a mistyped number (one digit wrong or two adjacent digits swapped, so the check character
  fails) with the same name, birth date and sex.

Chinese names are not Latin names: Soundex, Metaphone and edit distance on letters (what the
usual matchers use) say nothing about 張麗 and 张莉. Names are compared by :func:`name_key`:
traditional characters made simplified (OpenCC), then toneless pinyin per character (pypinyin).

**Namesakes are not matched.** The same name, birth date and sex with two different valid ID
numbers is two people: with a few hundred common surnames and a few thousand given-name
characters, millions of pensioners share a name, and many share a birthday too. A name only
ever confirms a link that the ID numbers (or a recorded change of number) already suggest.

Pure functions only: no I/O, no clock. The batch path over the whole roll is
:mod:`retirelink.fundcheck.batch_identity`; it finds candidate pairs in SQL and scores each
pair with :func:`score_pair`, so both paths give the same answer for the same two rows.
"""

# zh-CN user messages use full-width comma, colon and parentheses on purpose.

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from functools import cache
from types import MappingProxyType

import opencc
from pypinyin import Style, lazy_pinyin

from retirelink.rules.identifiers import Sex, id_check_character, upgrade_15_to_18

# --------------------------------------------------------------------------------------------
# 公民身份号码: canonical form
# --------------------------------------------------------------------------------------------

# Well formed after normalising: 17 digits and a check character, or the 15 digits of a
# GB 11643-1989 number. ASCII only: [0-9], never \d (which also accepts other scripts' digits).
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_ID_15 = re.compile(r"[0-9]{15}")
# Stripped from both ends: spaces and tabs from spreadsheets, the ideographic space (全角空格),
# and the apostrophe Excel users type to keep a long number as text.
ID_TRIM = " \t\r\n\u3000'"
# Full-width digits and X (全角) are a common keying variant in Chinese input methods.
ID_FULL_WIDTH = "０１２３４５６７８９ｘＸ"
ID_HALF_WIDTH = "0123456789XX"
_FULL_TO_HALF = str.maketrans(ID_FULL_WIDTH, ID_HALF_WIDTH)


def _normalise_id_text(raw: str) -> str:
    # The same steps, in the same order, as batch_identity's SQL (tested against each other).
    return raw.strip(ID_TRIM).translate(_FULL_TO_HALF).upper()


def id_shape_ok(raw: str) -> bool:
    """Whether ``raw`` is shaped like a 公民身份号码: 17 digits + check character, or 15 digits.

    Only the shape: a number whose check character is wrong is still well formed (a keying
    error we want to recognise, see :func:`id_checksum_ok`).

    >>> id_shape_ok(" 11010519491231002x"), id_shape_ok("110105491231002"), id_shape_ok("1101")
    (True, True, False)
    """
    text = _normalise_id_text(raw)
    return bool(_ID_18.fullmatch(text) or _ID_15.fullmatch(text))


def canonical_id(raw: str) -> str | None:
    """The 18-character upper-case form used to compare numbers; None if not well formed.

    Surrounding spaces and full-width digits are removed, a lower-case x is upper-cased and a
    15-digit number is upgraded (GB 11643-1999). The check character is kept as written, not
    corrected: a mistyped number stays distinct but recognisable (:func:`id_checksum_ok`).

    >>> canonical_id("110105491231002")
    '11010519491231002X'
    >>> canonical_id("１１０１０５１９４９１２３１００２ｘ")
    '11010519491231002X'
    >>> canonical_id("11010519491231002") is None
    True
    """
    text = _normalise_id_text(raw)
    if _ID_18.fullmatch(text):
        return text
    if _ID_15.fullmatch(text):
        return upgrade_15_to_18(text)
    return None


def is_legacy_id(raw: str) -> bool:
    """Whether ``raw`` is a 15-digit number (GB 11643-1989), which has no check character."""
    return bool(_ID_15.fullmatch(_normalise_id_text(raw)))


def id_checksum_ok(raw: str) -> bool:
    """Whether the number's check character is right (ISO 7064 MOD 11-2, GB 11643-1999).

    False for anything not well formed. A 15-digit number has no check character of its own;
    its upgraded form is right by construction, so it counts as right.

    >>> id_checksum_ok("11010519491231002X"), id_checksum_ok("110105194912310021")
    (True, False)
    """
    value = canonical_id(raw)
    return value is not None and id_check_character(value[:17]) == value[17]


# --------------------------------------------------------------------------------------------
# 姓名: the key names are compared by
# --------------------------------------------------------------------------------------------

# Middle dots between the parts of a transliterated name (阿依古丽·买买提) as keyed in
# practice. Most are punctuation or symbols and go anyway (only letters and digits are kept);
# U+A78F and U+318D are letters to Unicode, so they are listed.
NAME_DOTS = frozenset("\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\uff65\ua78f\u2e31\u318d")


@cache
def _t2s() -> opencc.OpenCC:
    # OpenCC's bundled t2s.json and its dictionaries ship in the wheel: nothing is fetched.
    return opencc.OpenCC("t2s")


def _fold_char(char: str) -> str:
    """One character as written, without width or case: NFKC (full-width to half-width and
    compatibility ideographs to unified ones), lower-case, and nothing but letters and digits.
    """
    kept = (
        c
        for c in unicodedata.normalize("NFKC", char).lower()
        if unicodedata.category(c)[0] in "LN" and c not in NAME_DOTS
    )
    return "".join(kept)


@cache
def char_key(char: str) -> str:
    """The matching key of one character of a name: simplified (OpenCC t2s), then toneless
    pinyin (pypinyin, first reading); "" for a character that is dropped (space, dot).

    One character at a time, on purpose: a name is not a phrase, so neither converter may read
    two characters together (乾 alone is 干 to OpenCC, whatever follows it), and each distinct
    character is converted once (cached) however many names hold it. Heteronyms take their
    first reading (曾 is "ceng", not the surname reading "zeng"): what matters is that one
    character always gets one key.

    >>> char_key("麗"), char_key("莉"), char_key("·"), char_key("Ａ")
    ('li', 'li', '', 'a')
    """
    folded = _fold_char(char)
    if not folded:
        return ""
    simplified = str(_t2s().convert(folded))
    readings = (lazy_pinyin(c, style=Style.NORMAL) for c in simplified)
    return "-".join("".join(reading).lower() for reading in readings)


def name_key(name: str) -> str:
    """A name normalised for matching: toneless pinyin per character joined with "-".

    Spaces, middle dots and other punctuation are dropped; full-width letters made half-width;
    traditional characters made simplified. So 張麗, 张丽, 张莉 and "张 丽" share a key; so do
    many other people's names, which is why a name never links two rows on its own.

    >>> name_key("張麗"), name_key("张 莉"), name_key("阿依古丽·买买提")
    ('zhang-li', 'zhang-li', 'a-yi-gu-li-mai-mai-ti')
    """
    return "-".join(key for key in map(char_key, name) if key)


def written_name(name: str) -> str:
    """The name as written, without spaces, dots, width or case: two rows with equal written
    names spell the name the same way (張麗 and 张丽 do not).

    >>> written_name(" 张 丽 "), written_name("阿依古丽．买买提")
    ('张丽', '阿依古丽买买提')
    """
    return "".join(map(_fold_char, name))


# --------------------------------------------------------------------------------------------
# The evidence and its weights
# --------------------------------------------------------------------------------------------


class MatchBasis(StrEnum):
    """Why two roll rows are taken for one human: the piece of evidence to check first.

    When several apply, the least direct one is the basis (it is what a reviewer must
    verify): 身份证号码疑似录入错误, then 双改, then 15/18 位, then 姓名写法不同, then 两地; plain
    身份证号码相同 is what is left. Every piece of evidence is listed in the match's reasons
    anyway, including the two schemes: employee-and-resident is not a basis of its own,
    because it says what is paid twice, not how we know it is one person.
    """

    EXACT_ID = "exact_id"
    ID_UPGRADE = "id_upgrade"
    IDENTITY_CHANGE = "identity_change"
    NAME_VARIANT = "name_variant"
    ID_TYPO = "id_typo"
    TWO_REGIONS = "two_regions"

    @property
    def label(self) -> str:
        """Chinese label, as shown to users.

        >>> MatchBasis.TWO_REGIONS.label
        '两地重复领取'
        """
        return _BASIS_LABELS[self]


_BASIS_LABELS: Mapping[MatchBasis, str] = MappingProxyType(
    {
        MatchBasis.EXACT_ID: "身份证号码相同",
        MatchBasis.ID_UPGRADE: "15位与18位身份证号码对应",
        MatchBasis.IDENTITY_CHANGE: "身份证号码或姓名变更（双改）",
        MatchBasis.NAME_VARIANT: "姓名写法不同",
        MatchBasis.ID_TYPO: "身份证号码疑似录入错误",
        MatchBasis.TWO_REGIONS: "两地重复领取",
    }
)

# How sure one piece of ID evidence alone makes us that two rows are one human (0..1). The
# name, birth date and sex then multiply it by the factors below. A score is a ranking for
# reviewers, not a probability estimated from data.
#
# 1.00 the same number: a 公民身份号码 is issued to one person for life.
WEIGHT_SAME_ID = 1.0
# 0.99 a 15-digit number whose upgrade is the other row's number: the upgrade is exact, but the
#      15-digit form has no check character, so a keying error in it cannot be seen.
WEIGHT_UPGRADE = 0.99
# 0.97 one row's recorded previous number is the other's number: the agency's own change record
#      (双改) says so; it was keyed by hand once, at the change.
WEIGHT_CHANGED_ID = 0.97
# 0.90 both rows record the same previous number but now carry different ones: one old number
#      cannot have become two new ones, so one of the two changes is wrong (or a fraud, as in
#      the 重庆 双改 account-hijacking case); a human must look.
WEIGHT_SHARED_PREVIOUS = 0.90
# 0.85 one keystroke apart (one digit wrong, or two adjacent digits swapped) with the same
#      name key, birth date and sex: MOD 11-2 catches every such error, so two valid numbers are
#      never one keystroke apart and one side must carry a wrong check character. Still a
#      guess about a keying error: a human confirms before anything is stopped.
WEIGHT_KEYING_ERROR = 0.85

# The name written differently with the same key (繁简, homophone character): usually the same
# name keyed by two clerks, but a homophone key is shared by many names, so slightly less sure.
FACTOR_NAME_VARIANT = 0.95
# Unrelated names on one number (neither variants nor a recorded previous name): the number
# was keyed onto the wrong person or is being used by someone else. Still reported, because
# one number is drawing two pensions whoever is right; but far from certain it is one human.
FACTOR_NAME_DIFFERENT = 0.70
# The roll's birth date or sex disagree: both are keyed separately from the number and are
# corrected over time (出生日期认定 from the archive), so a difference weakens, not refutes.
FACTOR_BIRTH_DATE_DIFFERENT = 0.90
FACTOR_SEX_DIFFERENT = 0.90

_SCHEME_LABELS: Mapping[str, str] = MappingProxyType(
    {"employee": "企业职工", "institution": "机关事业", "resident": "城乡居民"}
)


@dataclass(frozen=True, slots=True)
class RollIdentity:
    """The identity columns of one roll row (``fundcheck.snapshot.PENSIONERS``)."""

    pension_id: int
    id_number: str | None
    name: str | None
    birth_date: date | None
    sex: str | None  # GB/T 2261.1 code: '1' male, '2' female
    scheme: str  # 'employee', 'institution', 'resident'
    region: str | None  # GB/T 2260 code of the paying agency
    previous_id_number: str | None = None  # before a change of ID number (双改)
    previous_name: str | None = None  # before a change of name


@dataclass(frozen=True, slots=True)
class IdentityMatch:
    """Two roll rows taken for one human, with the evidence.

    ``reasons`` are 中文, one per piece of evidence. They carry no ID number and no written
    name (only pinyin keys, dates, codes), so they may be shown and stored as they are; the
    reviewer opens the two rows, a read the ledger records, to see the numbers and names.
    """

    first: int  # pension_id, the smaller
    second: int  # pension_id, the larger
    basis: MatchBasis
    score: float  # 0..1: how sure this is one human
    reasons: tuple[str, ...]


class _Link(Enum):
    SAME_ID = "same_id"
    UPGRADE = "upgrade"
    CHANGED_ID = "changed_id"
    SHARED_PREVIOUS = "shared_previous"
    KEYING_ERROR = "keying_error"


class _Names(Enum):
    SAME = "same"
    VARIANT = "variant"
    PREVIOUS = "previous"
    DIFFERENT = "different"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class _Evidence:
    kind: _Link | _Names | None
    factor: float
    reason: str | None


_NO_EVIDENCE = _Evidence(None, 1.0, None)


# --------------------------------------------------------------------------------------------
# Scoring one pair
# --------------------------------------------------------------------------------------------


def score_pair(a: RollIdentity, b: RollIdentity) -> IdentityMatch | None:
    """Whether two roll rows are one human, why, and how sure; None when nothing links them.

    A pair is linked only through ID numbers (the same number, 15/18 correspondence, a recorded
    previous number, a keying error); the name, birth date and sex confirm or weaken the link
    (see the ``WEIGHT_*`` and ``FACTOR_*`` constants for each value and why). Two rows of the
    same scheme and region with the same number are a match too (a double registration or a
    data error). The argument order does not matter.
    """
    if a.pension_id == b.pension_id:
        return None
    first, second = (a, b) if a.pension_id < b.pension_id else (b, a)
    names = _compare_names(first, second)
    link = _link(first, second, names)
    if link is None:
        return None
    birth, sex = _compare_birth_dates(first, second), _compare_sexes(first, second)
    score = link.factor * names.factor * birth.factor * sex.factor
    evidence = (link, names, birth, sex, *_placement(first, second, link))
    return IdentityMatch(
        first=first.pension_id,
        second=second.pension_id,
        basis=_basis(link, names, first, second),
        score=round(score, 4),
        reasons=tuple(e.reason for e in evidence if e.reason is not None),
    )


def _link(first: RollIdentity, second: RollIdentity, names: _Evidence) -> _Evidence | None:
    ids = _canonical(first.id_number), _canonical(second.id_number)
    if ids[0] is not None and ids[0] == ids[1]:
        return _same_number(first, second)
    previous = _canonical(first.previous_id_number), _canonical(second.previous_id_number)
    if (previous[0] is not None and previous[0] == ids[1]) or (
        previous[1] is not None and previous[1] == ids[0]
    ):
        return _Evidence(
            _Link.CHANGED_ID,
            WEIGHT_CHANGED_ID,
            "一条记录的原身份证号码与另一条的现身份证号码相同（身份证号码变更）",
        )
    if previous[0] is not None and previous[0] == previous[1]:
        return _Evidence(
            _Link.SHARED_PREVIOUS,
            WEIGHT_SHARED_PREVIOUS,
            "两条记录的原身份证号码相同，现身份证号码不同",
        )
    if ids[0] is not None and ids[1] is not None:
        return _keying_error(first, second, (ids[0], ids[1]), names)
    return None


def _canonical(raw: str | None) -> str | None:
    return None if raw is None else canonical_id(raw)


def _same_number(first: RollIdentity, second: RollIdentity) -> _Evidence:
    legacy = [r.id_number is not None and is_legacy_id(r.id_number) for r in (first, second)]
    if legacy[0] != legacy[1]:
        return _Evidence(
            _Link.UPGRADE, WEIGHT_UPGRADE, "15位旧身份证号码升位后与另一条的18位号码相同"
        )
    return _Evidence(_Link.SAME_ID, WEIGHT_SAME_ID, "身份证号码相同")


def keying_error(x: str, y: str) -> str | None:
    """How two canonical numbers differ if one keystroke apart, in 中文; else None.

    One keystroke: one character different, or two adjacent characters swapped.

    >>> keying_error("110105194912310021", "110105194912310121")
    '仅第16位不同'
    >>> keying_error("110105194912310021", "110105194912310201")
    '第16、17位颠倒'
    """
    diffs = [i for i, (p, q) in enumerate(zip(x, y, strict=True)) if p != q]
    if len(diffs) == 1:
        return f"仅第{diffs[0] + 1}位不同"
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
        i, j = diffs
        if x[i] == y[j] and x[j] == y[i]:
            return f"第{i + 1}、{j + 1}位颠倒"
    return None


def _keying_error(
    first: RollIdentity, second: RollIdentity, ids: tuple[str, str], names: _Evidence
) -> _Evidence | None:
    if names.kind not in (_Names.SAME, _Names.VARIANT):
        return None
    if first.birth_date is None or first.birth_date != second.birth_date:
        return None
    if first.sex is None or first.sex != second.sex:
        return None
    if id_checksum_ok(ids[0]) and id_checksum_ok(ids[1]):
        return None  # never one keystroke apart (MOD 11-2); kept explicit for the reader
    difference = keying_error(*ids)
    if difference is None:
        return None
    reason = f"身份证号码{difference}，一方校验码无效（疑似录入错误）"
    return _Evidence(_Link.KEYING_ERROR, WEIGHT_KEYING_ERROR, reason)


def _compare_names(first: RollIdentity, second: RollIdentity) -> _Evidence:
    keys = name_key(first.name or ""), name_key(second.name or "")
    if not keys[0] or not keys[1]:
        return _Evidence(_Names.MISSING, 1.0, "姓名缺失，未比对")
    if written_name(first.name or "") == written_name(second.name or ""):
        return _Evidence(_Names.SAME, 1.0, f"姓名相同（拼音：{keys[0]}）")
    if keys[0] == keys[1]:
        reason = f"姓名写法不同，拼音相同：{keys[0]}"
        return _Evidence(_Names.VARIANT, FACTOR_NAME_VARIANT, reason)
    changed = _previous_name_link(first, second, keys)
    if changed is not None:
        return _Evidence(_Names.PREVIOUS, 1.0, changed)
    reason = f"姓名不同（拼音：{keys[0]} / {keys[1]}），须核实是否本人"
    return _Evidence(_Names.DIFFERENT, FACTOR_NAME_DIFFERENT, reason)


def _previous_name_link(
    first: RollIdentity, second: RollIdentity, keys: tuple[str, str]
) -> str | None:
    """How a recorded previous name (改名) explains two different current names, if it does."""
    previous = name_key(first.previous_name or ""), name_key(second.previous_name or "")
    if previous[0] == keys[1] or previous[1] == keys[0]:
        return f"姓名不同，一条记录的原姓名与另一条的现姓名相同（拼音：{keys[0]} / {keys[1]}）"
    if previous[0] and previous[0] == previous[1]:
        return f"姓名不同，两条记录的原姓名相同（拼音：{previous[0]}）"
    return None


def _compare_birth_dates(first: RollIdentity, second: RollIdentity) -> _Evidence:
    if first.birth_date is None or second.birth_date is None:
        return _NO_EVIDENCE
    if first.birth_date == second.birth_date:
        return _Evidence(None, 1.0, f"出生日期相同：{first.birth_date.isoformat()}")
    reason = f"出生日期不同：{first.birth_date.isoformat()} / {second.birth_date.isoformat()}"
    return _Evidence(None, FACTOR_BIRTH_DATE_DIFFERENT, reason)


def _sex_label(code: str) -> str:
    try:
        return Sex(code).label
    except ValueError:
        return code


def _compare_sexes(first: RollIdentity, second: RollIdentity) -> _Evidence:
    if first.sex is None or second.sex is None:
        return _NO_EVIDENCE
    if first.sex == second.sex:
        return _Evidence(None, 1.0, f"性别相同：{_sex_label(first.sex)}")
    reason = f"性别不同：{_sex_label(first.sex)} / {_sex_label(second.sex)}"
    return _Evidence(None, FACTOR_SEX_DIFFERENT, reason)


def _scheme_label(code: str) -> str:
    return _SCHEME_LABELS.get(code, code)


def _placement(first: RollIdentity, second: RollIdentity, link: _Evidence) -> list[_Evidence]:
    """Where the two pensions are paid: context for the reviewer, not identity evidence."""
    same_scheme = first.scheme == second.scheme
    schemes = (
        f"同一险种：{_scheme_label(first.scheme)}"
        if same_scheme
        else f"险种不同：{_scheme_label(first.scheme)} / {_scheme_label(second.scheme)}"
    )
    result = [_Evidence(None, 1.0, schemes)]
    if first.region is None or second.region is None:
        return result
    same_region = first.region == second.region
    regions = (
        f"同一领取地：{first.region}"
        if same_region
        else f"领取地不同：{first.region} / {second.region}"
    )
    result.append(_Evidence(None, 1.0, regions))
    if same_scheme and same_region and link.kind in (_Link.SAME_ID, _Link.UPGRADE):
        result.append(_Evidence(None, 1.0, "同一险种同一领取地重复登记（重复参保或数据错误）"))
    return result


def _basis(
    link: _Evidence, names: _Evidence, first: RollIdentity, second: RollIdentity
) -> MatchBasis:
    if link.kind is _Link.KEYING_ERROR:
        return MatchBasis.ID_TYPO
    if link.kind in (_Link.CHANGED_ID, _Link.SHARED_PREVIOUS) or names.kind is _Names.PREVIOUS:
        return MatchBasis.IDENTITY_CHANGE
    if link.kind is _Link.UPGRADE:
        return MatchBasis.ID_UPGRADE
    if names.kind is _Names.VARIANT:
        return MatchBasis.NAME_VARIANT
    if first.region is not None and second.region is not None and first.region != second.region:
        return MatchBasis.TWO_REGIONS
    return MatchBasis.EXACT_ID
