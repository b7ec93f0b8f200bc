"""The ID number a roll row is matched on, in SQL: a legacy 15-digit number upgraded to its
18 characters (GB 11643: '19' inserted, MOD 11-2 check character added), others upper-cased.
Partner departments and 医保 report 18-character numbers; a pension still registered under
the old number must meet its death record all the same."""

_WEIGHTS = "[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]::DOUBLE[]"


def id18(column: str) -> str:
    """SQL expression: ``column`` as an 18-character ID number."""
    first17 = f"(substr({column}, 1, 6) || '19' || substr({column}, 7, 9))"
    # Non-digits read as 0 only so the expression never fails where the CASE does not apply.
    digits = f"rpad(regexp_replace({first17}, '[^0-9]', '0', 'g'), 17, '0')"
    check = (
        f"substr('10X98765432', 1 + CAST(list_dot_product(CAST(string_split({digits}, '') "
        f"AS DOUBLE[]), {_WEIGHTS}) AS BIGINT) % 11, 1)"
    )
    return (
        f"(CASE WHEN length({column}) = 15 AND regexp_full_match({column}, '[0-9]{{15}}') "
        f"THEN {first17} || {check} ELSE upper({column}) END)"
    )
