"""One realistic JSON request per calculator (``calculators.CALCULATORS``), taken from the
YAML scenarios under tests/unit/rules/cases: the API shows them in its OpenAPI document,
docs/rules.md runs them through the CLI, and the tests check that each one computes.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_PAID_3000 = {"monthly_amount": "3000.00"}

EXAMPLES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        # policy-spec §4.1 [P01]: 3520.00 + 1079.14 + 1132.80 = 5731.94 with B = 8000
        "pension": {
            "birth_month": "1965-05",
            "retirement_month": "2025-05",
            "average_index": "1.2",
            "contribution_months": 480,
            "deemed_months": 118,
            "account_balance": "150000",
            "deemed_evidence": ["A-0901"],
        },
        # 办法第三条; 人社部发〔2024〕94号: earliest month, notice exactly 3 months before
        "flexible": {
            "category": "male",
            "birth": "1967-05",
            "requested": "2027-05",
            "contribution_months": 200,
            "notice_date": "2027-02-01",
        },
        # 劳社厅函〔2001〕44号 [X01]: stopped 2022-06 … 2024-05, resumed 2024-06 at 3000.00
        "incarceration": {
            "kind": "imprisoned",
            "started_on": "2022-05-10",
            "ended_on": "2024-05-20",
            "monthly_amount": "3000.00",
            "as_of": "2024-12",
            "paid": [
                {"first": "2022-01", "last": "2022-05", **_PAID_3000},
                {"first": "2024-06", "last": "2024-12", **_PAID_3000},
            ],
        },
        # 人社厅发〔2018〕54号 [X10]: suspended from 2025-05, certified 2025-08-12, 4 months back
        "certification": {
            "cycle_start": "2024-05",
            "certified_on": "2025-08-12",
            "monthly_amount": "3000.00",
            "as_of": "2025-08",
            "paid": [{"first": "2024-05", "last": "2025-04", **_PAID_3000}],
        },
        # 人社部发〔2021〕18号: died 2025-03-15 after 5 years of pension, paid until 2025-09
        "death": {
            "born_on": "1960-01-01",
            "died_on": "2025-03-15",
            "contribution_months": 300,
            "pension_start": "2020-04",
            "paid": [{"first": "2020-04", "last": "2025-09", "monthly_amount": "4000.00"}],
        },
        # 城乡养老保险制度衔接暂行办法第八条 [X09]: 18 duplicate months, 2760.00 to return
        "duplicates": {
            "employee_pension_start": "2023-01",
            "residents": [
                {
                    "place": "130406",
                    "first_paid": "2020-06",
                    "basic_pension_paid": [
                        {"first": "2020-06", "last": "2023-12", "monthly_amount": "150.00"},
                        {"first": "2024-01", "last": "2024-06", "monthly_amount": "160.00"},
                    ],
                    "account_balance": "12000.00",
                    "government_subsidy": "3000.00",
                }
            ],
        },
        # 国发〔1978〕104号第一条第（二）项: 108 months underground on original records, age 55
        "special-job": {
            "category": "male",
            "birth": "1968-05",
            "retirement": "2023-05",
            "contribution_months": 300,
            "periods": [
                {
                    "job_type": "underground",
                    "start": "1990-01",
                    "end": "1998-12",
                    "evidence": "original_record",
                    "evidence_ids": ["A-0903"],
                }
            ],
        },
        # 国发〔1978〕104号第一条第（三）项: 完全丧失劳动能力, age 50
        "illness": {
            "category": "male",
            "birth": "1973-05",
            "work_capacity": "complete_loss",
            "retirement": "2023-05",
            "contribution_months": 300,
        },
        # 劳社部发〔1999〕8号第二条（二） [B01]: the record formed first wins; the later, altered
        # record is listed in flagged_materials but does not change the decision
        "birth-date": {
            "id_card_birth": "1962-08-15",
            "records": [
                {
                    "material_id": "A-0102",
                    "title": "干部履历表",
                    "material_class": "一",
                    "formed_on": "1985-06-01",
                    "stated_birth": "1958-08-15",
                    "altered": True,
                },
                {
                    "material_id": "A-0901",
                    "title": "招工登记表",
                    "material_class": "9-2",
                    "formed_on": "1978-03-10",
                    "stated_birth": "1960-08-15",
                },
            ],
        },
        # 国发〔1997〕26号; policy-spec §3.2: military and employment overlap 6 months
        "deemed": {
            "intervals": [
                {"start": "1976-03", "end": "1981-02", "kind": "military", "evidence": ["A-0905"]},
                {
                    "start": "1980-09",
                    "end": "1995-12",
                    "kind": "employment",
                    "evidence": ["A-0901"],
                },
            ]
        },
    }
)
