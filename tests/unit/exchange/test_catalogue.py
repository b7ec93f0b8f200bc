"""The sharing catalogue: the shipped items, access decisions and strict file validation."""

from pathlib import Path

import pytest

from retirelink.archives.model import DepartmentKind
from retirelink.errors import NotFoundError
from retirelink.exchange.catalogue import CatalogueFileError, decide_access, load_catalogue
from retirelink.exchange.model import AccessRequest, FieldKind, Purpose, SharingClass
from retirelink.security.model import Role

DEATH = "public_security.death_cancellation"
HUKOU = "public_security.household_registration"
PRISON = "justice.prisoners_in_custody"
RECORDS = "health.medical_records"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def request(
    item: str = DEATH,
    department: DepartmentKind = DepartmentKind.SOCIAL_SECURITY,
    role: Role = Role.REVIEWER,
    purpose: str = Purpose.BENEFIT_SUSPENSION,
) -> AccessRequest:
    return AccessRequest(item, department, role, purpose)


# --- the shipped catalogue -------------------------------------------------------------


def test_the_shipped_catalogue_covers_every_partner_department(catalogue):
    expected = {
        (DepartmentKind.PUBLIC_SECURITY, "户籍信息"),
        (DepartmentKind.PUBLIC_SECURITY, "死亡注销"),
        (DepartmentKind.JUSTICE, "在押服刑人员"),
        (DepartmentKind.HEALTH, "死亡医学证明"),
        (DepartmentKind.CIVIL_AFFAIRS, "殡葬火化"),
        (DepartmentKind.HOUSING_FUND, "公积金缴存与提取"),
        (DepartmentKind.MEDICAL_INSURANCE, "参保与结算"),
        (DepartmentKind.ARCHIVES, "档案目录与调阅"),
    }
    assert expected <= {(item.department, item.name) for item in catalogue}


def test_every_item_has_a_legal_basis_fields_and_an_id_number(catalogue):
    for item in catalogue:
        assert item.legal_basis, item.code
        assert item.fields, item.code
        assert any(spec.kind is FieldKind.ID_NUMBER for spec in item.fields), item.code
        for spec in item.fields:
            assert spec.kind is not FieldKind.CODE or spec.code_table, (item.code, spec.name)


def test_every_field_name_is_the_text_written_in_the_file(catalogue):
    # `on` unquoted in YAML would be read as a boolean and shown as the field "True".
    check = catalogue.item("social_security.alive_and_free_check")
    assert [spec.name for spec in check.fields] == ["id_number", "on", "alive", "free"]


def test_items_are_found_by_code_and_by_department(catalogue):
    death = catalogue.item(DEATH)
    assert death.sharing_class is SharingClass.CONDITIONAL
    assert death.department is DepartmentKind.PUBLIC_SECURITY
    assert {item.code for item in catalogue.items_of(DepartmentKind.PUBLIC_SECURITY)} == {
        DEATH,
        HUKOU,
    }
    sex = next(spec for spec in death.fields if spec.name == "sex")
    assert sex.code_table is not None and sex.code_table.startswith("GB/T 2261.1")


def test_an_unknown_code_is_not_found(catalogue):
    with pytest.raises(NotFoundError, match="no_such"):
        catalogue.item("public_security.no_such")


def test_household_registration_is_unconditional_as_a_base_resource(catalogue):
    hukou = catalogue.item(HUKOU)
    assert hukou.sharing_class is SharingClass.UNCONDITIONAL
    assert "国发〔2016〕51号" in hukou.legal_basis


# --- decisions ---------------------------------------------------------------------------


def test_a_conditional_item_is_allowed_for_a_listed_department_role_and_purpose(catalogue):
    decision = decide_access(catalogue, request())

    assert decision.allowed
    assert "死亡注销" in decision.reason and "待遇停发与恢复" in decision.reason
    assert "社会保险经办条例" in decision.legal_basis


def test_a_purpose_not_listed_is_refused(catalogue):
    decision = decide_access(catalogue, request(purpose=Purpose.RETIREMENT_REVIEW))

    assert not decision.allowed
    assert "死亡注销" in decision.reason and "不可用于退休审核" in decision.reason


def test_a_purpose_outside_the_vocabulary_is_refused(catalogue):
    decision = decide_access(catalogue, request(purpose="marketing"))

    assert not decision.allowed
    assert "未登记用途“marketing”" in decision.reason


def test_another_department_is_refused_a_conditional_item(catalogue):
    decision = decide_access(catalogue, request(item=PRISON, department=DepartmentKind.HEALTH))

    assert not decision.allowed
    assert "在押服刑人员" in decision.reason and "卫健不在可申请部门之列" in decision.reason


def test_a_role_not_listed_is_refused_a_conditional_item(catalogue):
    decision = decide_access(catalogue, request(role=Role.APPLICANT))

    assert not decision.allowed
    assert "参保人/单位经办员" in decision.reason and "无权申请" in decision.reason


def test_an_unconditional_item_is_open_to_every_department_for_listed_purposes(catalogue):
    allowed = decide_access(
        catalogue,
        request(
            item=HUKOU,
            department=DepartmentKind.HOUSING_FUND,
            role=Role.DEPT_OFFICER,
            purpose=Purpose.RETIREMENT_REVIEW,
        ),
    )
    refused = decide_access(catalogue, request(item=HUKOU, purpose="marketing"))

    assert allowed.allowed and "无条件共享" in allowed.reason
    assert not refused.allowed


def test_a_not_shared_item_is_always_refused(catalogue):
    decision = decide_access(catalogue, request(item=RECORDS, purpose=Purpose.CERTIFICATION))

    assert not decision.allowed
    assert "不予共享" in decision.reason and "诊疗病历明细" in decision.reason
    assert "个人信息保护法" in decision.legal_basis


def test_an_item_outside_the_catalogue_is_refused(catalogue):
    decision = decide_access(catalogue, request(item="public_security.travel_records"))

    assert not decision.allowed
    assert "public_security.travel_records" in decision.reason
    assert decision.legal_basis == ""


# --- strict loading ---------------------------------------------------------------------

GOOD = """
name: 死亡注销
sharing_class: conditional
legal_basis: 社会保险经办条例第二十六条
update_frequency: daily
purposes: [certification]
requesters: [social_security]
roles: [reviewer]
fields:
  - {name: id_number, label: 公民身份号码, kind: id_number}
  - {name: sex, label: 性别, kind: code, code_table: GB/T 2261.1-2003}
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_in_a_tmp_dir_loads(tmp_path):
    write(tmp_path, "public_security/death.yaml", GOOD)

    catalogue = load_catalogue(tmp_path)

    assert [item.code for item in catalogue] == ["public_security.death"]


@pytest.mark.parametrize(
    ("relative", "text", "complaint"),
    [
        ("police/death.yaml", GOOD, "部门“police”无效"),
        ("death.yaml", GOOD, "应放在 <部门>/ 目录下"),
        ("public_security/death.yaml", GOOD.replace("conditional", "sometimes"), "共享类型"),
        ("public_security/death.yaml", GOOD.replace("[certification]", "[gossip]"), "用途"),
        ("public_security/death.yaml", GOOD.replace("[reviewer]", "[janitor]"), "角色"),
        ("public_security/death.yaml", GOOD.replace("[social_security]", "[mars]"), "请求部门"),
        ("public_security/death.yaml", GOOD.replace("update_frequency: daily", ""), "更新频率"),
        (
            "public_security/death.yaml",
            GOOD.replace("legal_basis: 社会保险经办条例第二十六条", ""),
            "legal_basis",
        ),
        ("public_security/death.yaml", GOOD.split("fields:")[0], "缺少字段"),
        ("public_security/death.yaml", GOOD.split("fields:")[0] + "fields: []\n", "缺少字段"),
        ("public_security/death.yaml", GOOD.replace("roles: [reviewer]\n", ""), "须列明"),
        ("public_security/death.yaml", GOOD.replace("purposes: [certification]\n", ""), "用途"),
        (
            "public_security/death.yaml",
            GOOD.replace(", code_table: GB/T 2261.1-2003", ""),
            "代码表",
        ),
        ("public_security/death.yaml", GOOD.replace("kind: id_number", "kind: blob"), "类型"),
        ("public_security/death.yaml", GOOD + "owner: 张三\n", "未知键"),
        ("public_security/death.yaml", GOOD.replace("name: sex", "name: id_number"), "字段重复"),
        ("public_security/death.yaml", GOOD.replace("name: sex", "name: on"), "须加引号"),
        ("public_security/death.yaml", "name: [unclosed\n", "不是有效的 YAML"),
        ("public_security/death.yaml", "- just a list\n", "键值结构"),
    ],
)
def test_a_broken_file_is_refused_naming_it(tmp_path, relative, text, complaint):
    write(tmp_path, relative, text)

    with pytest.raises(CatalogueFileError, match=complaint) as raised:
        load_catalogue(tmp_path)

    assert relative in raised.value.message


def test_an_unconditional_item_may_not_restrict_departments(tmp_path):
    write(tmp_path, "public_security/hukou.yaml", GOOD.replace("conditional", "unconditional"))

    with pytest.raises(CatalogueFileError, match="不应限定部门或角色"):
        load_catalogue(tmp_path)


def test_a_not_shared_item_needs_a_legal_basis_too(tmp_path):
    text = "\n".join(
        line
        for line in GOOD.replace("conditional", "not_shared").splitlines()
        if not line.startswith(("legal_basis", "requesters", "roles", "purposes"))
    )
    write(tmp_path, "health/records.yaml", text)

    with pytest.raises(CatalogueFileError, match=r"health/records\.yaml缺少“legal_basis”"):
        load_catalogue(tmp_path)


def test_an_empty_directory_is_refused(tmp_path):
    with pytest.raises(CatalogueFileError, match="没有数据项文件"):
        load_catalogue(tmp_path)
