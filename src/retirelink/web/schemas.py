"""API schemas, named by role (…Create for input, …Public for output)."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class StrictInput(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)


class LoginRequest(StrictInput):
    username: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)


class LoginPublic(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    csrf_token: str


class PersonCreate(StrictInput):
    id_number: str = Field(
        min_length=15, max_length=18, description="公民身份号码（18位，或15位旧号码）"
    )
    name: str = Field(min_length=1, max_length=30, description="姓名")
    ethnicity: str = Field(
        default="01", min_length=1, max_length=2, description="民族代码 GB/T 3304"
    )
    hukou_region: str | None = Field(
        default=None, min_length=6, max_length=6, description="户籍地行政区划代码 GB/T 2260"
    )
    phone: str | None = Field(default=None, max_length=11, description="手机号码")


class PersonPublic(BaseModel):
    """A person as the caller's role may see it (masked unless unmasked reading is allowed)."""

    id: int
    id_number: str
    name: str
    sex: str
    sex_label: str
    birth_date: date | None
    ethnicity: str | None = None
    hukou_region: str | None = None
    phone: str | None = None
    masked: bool


class PersonPagePublic(BaseModel):
    items: list[PersonPublic]
    total: int
    page: int
    page_size: int
    pages: int


class LedgerVerifyPublic(BaseModel):
    ok: bool
    entries_checked: int
    head_seq: int
    broken_seq: int | None
    reason: str | None


class HealthPublic(BaseModel):
    status: str
    database: str
    version: str


class StatusCheckRequest(StrictInput):
    id_number: str = Field(min_length=15, max_length=18, description="公民身份号码")
    on: date = Field(strict=False, description="核验日期（YYYY-MM-DD）")
    purpose: str = Field(min_length=1, max_length=100, description="核验目的/依据（如案件编号）")


class IdentityCheckRequest(StrictInput):
    id_number: str = Field(min_length=15, max_length=18, description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    purpose: str = Field(min_length=1, max_length=100, description="核验目的/依据（如案件编号）")
