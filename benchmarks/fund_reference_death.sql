-- Reference death check (死亡次月停发) over the fund-guard bulk data set.
--
-- Hand-written DuckDB SQL, the yardstick for the batch death check: `retirelink demo fund-bulk`
-- writes the Parquet files and their answer key; a benchmark creates the views
--   CREATE VIEW pensioners AS SELECT * FROM read_parquet('DIR/pensioners.parquet');
--   CREATE VIEW payments AS SELECT * FROM read_parquet('DIR/payments.parquet');
--   CREATE VIEW partner_events AS SELECT * FROM read_parquet('DIR/partner_events.parquet');
-- and runs this one statement. The snapshot date is the variable as_of
-- (SET VARIABLE as_of = DATE '2026-11-30'); unset, it is 2026-11-30, the generator's default.
--
-- Death records: 公安 death_cancellation, 卫健 death_certificate, 民政 cremation. A record counts
-- only with a well-formed 18-character ID number (17 digits and a digit or X, the GB 11643
-- MOD 11-2 check character right, a real birth date in it) and a death date between that birth
-- date and as_of; the others are reporting errors for the partner to correct, not deaths.
-- The earliest date over all of a person's records is the date of death; payment stops from
-- the month after the death month (死亡次月停发). A 15-digit number on the roll is upgraded to
-- 18 characters before it is matched.
--
-- One row per roll row (pension_id) paid for any month from the stop month on:
-- pension_id, id_number (as on the roll), died_on, stop_month, overpaid_months, overpaid
-- (Σ monthly_amount × months paid from the stop month), ordered by pension_id.
-- On the generated data it returns exactly the pension_ids planted as paid_after_death
-- (which include the account_changed_after_death ones).

WITH settings AS (
    SELECT coalesce(getvariable('as_of'), DATE '2026-11-30') AS as_of
),
events AS (
    SELECT
        id_number,
        event_date,
        -- GB 11643 check character of the first 17 characters; non-digits are read as 0
        -- only so that the expression never fails (such numbers fail the pattern anyway).
        substr('10X98765432', 1 + CAST(list_dot_product(
            CAST(string_split(rpad(regexp_replace(substr(id_number, 1, 17), '[^0-9]', '0', 'g'),
                                   17, '0'), '') AS DOUBLE[]),
            [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]::DOUBLE[]) AS BIGINT) % 11, 1)
            AS check_character,
        try_strptime(substr(id_number, 7, 8), '%Y%m%d')::DATE AS born_on
    FROM partner_events
    WHERE kind IN ('death_cancellation', 'death_certificate', 'cremation')
      AND department IN ('public_security', 'health', 'civil_affairs')
),
deaths AS (
    SELECT e.id_number, min(e.event_date) AS died_on
    FROM events AS e, settings AS s
    WHERE regexp_full_match(e.id_number, '[0-9]{17}[0-9X]')
      AND e.check_character = substr(e.id_number, 18, 1)
      AND e.event_date BETWEEN e.born_on AND s.as_of
    GROUP BY e.id_number
),
roll AS (
    SELECT
        pension_id,
        id_number,
        CASE
            WHEN regexp_full_match(id_number, '[0-9]{15}') THEN
                substr(id_number, 1, 6) || '19' || substr(id_number, 7, 9)
                || substr('10X98765432', 1 + CAST(list_dot_product(
                    CAST(string_split(substr(id_number, 1, 6) || '19' || substr(id_number, 7, 9),
                                      '') AS DOUBLE[]),
                    [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]::DOUBLE[]) AS BIGINT)
                    % 11, 1)
            ELSE upper(id_number)
        END AS id18
    FROM pensioners
),
stopped AS (
    SELECT
        r.pension_id,
        r.id_number,
        d.died_on,
        CAST(date_trunc('month', d.died_on) + INTERVAL 1 MONTH AS DATE) AS stop_month
    FROM roll AS r
    JOIN deaths AS d ON d.id_number = r.id18
),
overpaid AS (
    SELECT
        s.pension_id,
        s.id_number,
        s.died_on,
        s.stop_month,
        p.monthly_amount,
        datediff('month', greatest(p.first_month, s.stop_month), p.last_month) + 1 AS months
    FROM stopped AS s
    JOIN payments AS p ON p.pension_id = s.pension_id AND p.last_month >= s.stop_month
)
SELECT
    pension_id,
    id_number,
    died_on,
    stop_month,
    sum(months) AS overpaid_months,
    sum(monthly_amount * months) AS overpaid
FROM overpaid
GROUP BY pension_id, id_number, died_on, stop_month
HAVING sum(monthly_amount * months) > 0
ORDER BY pension_id;
