"""Village coordinators and grid workers from a spreadsheet: one row per person, each row created or
handed back with its reasons (never lost), the one-time passwords of those created returned once.

The layout is data (Chinese, like the households' template): 姓名, 用户名 (blank: made from the
name's pinyin), 角色 (网格员 or 社会救助协理员), 村（社区）代码 or 村（社区）名称, 手机号. A row is
returned for: a missing or unreadable cell, a control character, a village outside the user's area
or not a village, a village name that is not unique in the area, a role the user does not manage, a
user name or phone number already taken by an account or by an earlier row of the file.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import sheets
from safetynet.core.accounts import rules
from safetynet.core.accounts.services import clean_name, clean_phone, generate_password
from safetynet.core.hashers import one_time_hasher
from safetynet.core.models import ChangeRecord, Division, DivisionLevel, Role, User
from safetynet.core.scope import in_scope, scope_q
from safetynet.core.services import change_record_bulk_create
from safetynet.core.text import control_characters_message, normalise

DATA_SHEET = "人员名单"
NOTES_SHEET = "说明"
LISTS_SHEET = "下拉选项"
ERROR_HEADER = "错误原因"
MAX_ROWS = 3000

# field → the template's header first, then the names clerks give the column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名"),
    "username": ("用户名", "登录名", "账号", "帐号", "登录账号"),
    "role": ("角色", "岗位", "人员类别", "类别"),
    "village_code": ("村（社区）代码", "村/社区代码", "村代码", "社区代码", "村居代码", "所在村代码"),
    "village_name": ("村（社区）名称", "村/社区", "村（社区）", "村名", "社区名称", "所在村", "村居"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "电话"),
}
NOTES = {
    "name": ("必填", "本人姓名。"),
    "username": ("选填", "登录系统用的用户名（字母、数字或 @ . + - _）。"
                 "不填时按姓名拼音生成，重名的加数字。"),
    "role": ("必填", "网格员 或 社会救助协理员（下拉选择）。"),
    "village_code": ("二选一", "所在村（社区）的12位统计用区划代码。"),
    "village_name": ("二选一", "所在村（社区）的名称；辖区内有同名村（社区）的，请填代码。"),
    "phone": ("选填", "本人手机号（11位）。每个手机号只能用于一个账号。"),
}
RULES = [
    "填写规则：",
    "1. 每人一行；各列次序不限，表头上方可以有标题行。",
    "2. 每一行单独导入：有错的行连同错误原因退回，其余的行照常创建账号；改正后可只导入退回的行。",
    "3. 只能创建您辖区内的村（社区）的网格员和社会救助协理员。",
    "4. 创建的账号各有一个一次性密码，只在导入后下载一次；本人首次登录时必须修改密码。",
]
# What a clerk may write in 角色, folded.
ROLE_NAMES = {
    "网格员": Role.GRID_WORKER, "网格长": Role.GRID_WORKER, "gridworker": Role.GRID_WORKER,
    "grid_worker": Role.GRID_WORKER,
    "社会救助协理员": Role.VILLAGE_COORDINATOR, "协理员": Role.VILLAGE_COORDINATOR,
    "村级协理员": Role.VILLAGE_COORDINATOR, "社会救助村级协理员": Role.VILLAGE_COORDINATOR,
    "村（社区）社会救助协理员": Role.VILLAGE_COORDINATOR, "villagecoordinator": Role.VILLAGE_COORDINATOR,
    "village_coordinator": Role.VILLAGE_COORDINATOR,
}
IMPORTED_ROLES = (Role.GRID_WORKER, Role.VILLAGE_COORDINATOR)
ROLE_CHOICES = ("网格员", "社会救助协理员")


@dataclass
class Returned:
    number: int  # the row number the user sees
    cells: tuple  # as written
    reasons: list[str]


@dataclass
class Created:
    number: int
    user: User
    password: str


@dataclass
class Outcome:
    headers: list[str]
    created: list[Created] = field(default_factory=list)
    returned: list[Returned] = field(default_factory=list)


def _h(field_name: str, message: str) -> str:
    """A reason, led by the column it is about (as the template names it)."""
    return f"{COLUMNS[field_name][0]}：{message}"


def _text(value, header: str) -> str:
    """A cell as text (a number Excel made of a code or phone as its digits); ValidationError for a
    cell without a value or with a control character (Alt+Enter line breaks are spaces)."""
    if sheets.is_blank(value):
        return ""
    if isinstance(value, sheets.Unreadable):
        raise ValidationError(f"{header}：{value.reason()}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    try:
        sheets.refuse_control_characters(text)
    except sheets.CellError:
        raise ValidationError(f"{header}：{control_characters_message()}") from None
    return " ".join(text.split())


def _pinyin_username(name: str) -> str:
    from pypinyin import lazy_pinyin

    letters = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(name)).lower())
    return letters[:30] or "user"


class _Rows:
    """The checks of one file against the accounts and villages of the user's area."""

    def __init__(self, actor: User, rows: list[tuple[int, dict]]):
        self.actor = actor
        codes = {normalise(values.get("village_code") or "") for _n, values in rows}
        self.villages = {d.code: d for d in Division.objects.filter(code__in=codes - {""})}
        names = {(values.get("village_name") or "").strip() for _n, values in rows} - {""}
        self.by_name: dict[str, list[Division]] = {}
        for division in Division.objects.filter(scope_q(actor, "code"), level=DivisionLevel.VILLAGE,
                                                abolished=False, name__in=names):
            self.by_name.setdefault(division.name, []).append(division)
        usernames = {normalise(values.get("username") or "") for _n, values in rows} - {""}
        self.taken_usernames = set(
            User.objects.filter(username__in=usernames).values_list("username", flat=True))
        phones = {normalise(values.get("phone") or "") for _n, values in rows} - {""}
        self.taken_phones = set(User.objects.filter(phone__in=phones).values_list("phone", flat=True))
        self.file_usernames: dict[str, int] = {}
        self.file_phones: dict[str, int] = {}

    def village(self, code: str, name: str, reasons: list[str]) -> Division | None:
        if code:
            code = normalise(code)
            division = self.villages.get(code)
            if not re.fullmatch(r"[0-9]{12}", code):
                message = _("A village or community code has 12 digits.")
            elif division is None or not in_scope(self.actor, code):
                # Outside the area is "no such village in your area": whether it exists is not said.
                message = _("There is no village or community %(code)s in your area.") % {"code": code}
            elif division.abolished or division.level != DivisionLevel.VILLAGE:
                message = _("%(code)s is not a village or community in force.") % {"code": code}
            elif name and name != division.name:
                message = _("The village code %(code)s is %(actual)s, not %(name)s.") % {
                    "code": code, "actual": division.name, "name": name}
            else:
                return division
            reasons.append(_h("village_code", message))
            return None
        if not name:
            reasons.append(_("Give the village or community: its code or its name."))
            return None
        found = self.by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if not found:
            message = _("There is no village or community named %(name)s in your area.") % {"name": name}
        else:
            message = _("%(count)d villages or communities in your area are named %(name)s: give the "
                        "12-digit code instead.") % {"count": len(found), "name": name}
        reasons.append(_h("village_name", message))
        return None

    def username(self, given: str, name: str, number: int, reasons: list[str]) -> str:
        if given:
            username = normalise(given)
            message = None
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                message = _("Use letters, digits and @ . + - _ only.")
            if message:
                pass
            elif len(username) > 150:
                message = _("A user name has at most 150 characters.")
            elif username in self.taken_usernames:
                message = _("The user name %(username)s is already taken.") % {"username": username}
            elif username in self.file_usernames:
                message = _("%(value)s is also in row %(row)d of this file.") % {
                    "value": username, "row": self.file_usernames[username]}
            else:
                self.file_usernames[username] = number
                return username
            reasons.append(_h("username", message))
            return ""
        stem = _pinyin_username(name)
        existing = set(User.objects.filter(username__startswith=stem).values_list("username", flat=True))
        candidate, suffix = stem, 1
        while candidate in existing or candidate in self.file_usernames or candidate in self.taken_usernames:
            suffix += 1
            candidate = f"{stem}{suffix}"
        self.file_usernames[candidate] = number
        return candidate

    def phone(self, value: str, number: int, reasons: list[str]) -> str:
        try:
            phone = clean_phone(value)
        except ValidationError as error:
            reasons.append(_h("phone", error.message_dict["phone"][0]))
            return ""
        if not phone:
            return ""
        if phone in self.taken_phones:
            reasons.append(_h("phone", _("Another account already has the phone number %(phone)s.")
                              % {"phone": phone}))
        elif phone in self.file_phones:
            reasons.append(_h("phone", _("%(value)s is also in row %(row)d of this file.")
                              % {"value": phone, "row": self.file_phones[phone]}))
        else:
            self.file_phones[phone] = number
        return phone


def _read_row(cells: tuple, columns: dict[int, str], headers: list[str]) -> tuple[dict, list[str]]:
    values, reasons = {}, []
    for position, field_name in columns.items():
        value = cells[position] if position < len(cells) else None
        try:
            values[field_name] = _text(value, headers[position] or field_name)
        except ValidationError as error:
            reasons.extend(error.messages)
            values[field_name] = ""
    return values, reasons


def users_import(*, actor: User, path: Path) -> Outcome:
    """Create the accounts the file lists (each row alone), return what was created (with the
    one-time passwords, shown once) and what was handed back. FileError when the file as a whole
    cannot be read; PermissionDenied for a role that manages neither coordinators nor grid workers."""
    if not any(role in rules.managed_roles(actor) for role in IMPORTED_ROLES):
        raise PermissionDenied(_("Your role does not create village coordinators or grid workers."))
    table = sheets.read_table(path, COLUMNS, required=("name", "role"),
                              skip_sheets=(NOTES_SHEET, LISTS_SHEET))
    if not ({"village_code", "village_name"} & set(table.columns.values())):
        raise sheets.FileError(
            _("The sheet needs a column 「村（社区）代码」 or 「村（社区）名称」 (see the template)."))
    outcome = Outcome(headers=table.headers)
    read: list[tuple[int, tuple, dict, list[str]]] = []
    for number, cells in table.rows:
        if all(sheets.is_blank(cell) for cell in cells):
            continue
        if len(read) >= MAX_ROWS:
            raise sheets.FileError(_("A file may list at most %(limit)d people: split it into several files.")
                                   % {"limit": MAX_ROWS})
        values, reasons = _read_row(cells, table.columns, table.headers)
        read.append((number, cells, values, reasons))
    checks = _Rows(actor, [(number, values) for number, _cells, values, _reasons in read])
    planned: list[tuple[int, tuple, User]] = []
    for number, cells, values, reasons in read:
        user = _plan(actor, checks, number, values, reasons)
        if reasons:
            outcome.returned.append(Returned(number, cells, reasons))
        else:
            planned.append((number, cells, user))
    try:
        outcome.created = _create(actor, planned)
    except IntegrityError:
        # Someone took a user name meanwhile: nothing of this file was created; it can be sent again.
        raise sheets.FileError(_("Someone created accounts with the same user names at the same time: "
                                 "nothing was created. Import the file again.")) from None
    return outcome


def _plan(actor: User, checks: _Rows, number: int, values: dict, reasons: list[str]) -> User | None:
    name = values.get("name", "")
    try:
        name = clean_name(name)
    except ValidationError as error:
        reasons.append(_h("name", error.message_dict["name"][0]))
    role_text = re.sub(r"\s", "", values.get("role", "")).lower()
    role = ROLE_NAMES.get(role_text)
    if not role_text:
        reasons.append(_h("role", _("Give 网格员 or 社会救助协理员.")))
    elif role is None:
        reasons.append(_h("role", _("%(value)s is neither 网格员 nor 社会救助协理员.")
                          % {"value": values["role"]}))
    village = checks.village(values.get("village_code", ""), values.get("village_name", ""), reasons)
    if role is not None and village is not None and not rules.may_manage(
            actor, role=role, division_code=village.code):
        reasons.append(_h("role", _("Your role cannot create accounts with the role “%(role)s”.")
                          % {"role": Role(role).label}))
    phone = checks.phone(values.get("phone", ""), number, reasons)
    username = checks.username(values.get("username", ""), name, number, reasons) if name else ""
    if reasons:
        return None
    return User(username=username, first_name=name, role=role, division=village, phone=phone,
                must_change_password=True)


def _create(actor: User, planned: list[tuple[int, tuple, User]]) -> list[Created]:
    hasher = one_time_hasher()
    created = []
    for number, _cells, user in planned:
        password = generate_password()
        user.password = make_password(password, hasher=hasher)
        created.append(Created(number, user, password))
    with transaction.atomic():
        User.objects.bulk_create([c.user for c in created], batch_size=500)
        change_record_bulk_create(actor=actor, at=timezone.now(), changes=[
            {"subject_type": "user", "subject_id": c.user.pk, "entity_type": "user", "entity_id": c.user.pk,
             "action": ChangeRecord.Action.CREATE, "event": "created",
             "after": {"username": c.user.username, "role": c.user.role, "division": c.user.division_id,
                       "first_name": c.user.first_name, **({"phone": c.user.phone} if c.user.phone else {})},
             "reason": _("Imported from a spreadsheet")}
            for c in created
        ])
    return created
