"""Pass 1 of a roster import: every row checked and cleaned, every problem collected, nothing written."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from unionhome.org.member_fields import EDITABLE_FIELDS, clean_member_fields
from unionhome.org.models import Member, MemberImport, MemberTag, OrgUnit
from unionhome.org.roster_columns import TAG_SEPARATORS
from unionhome.org.roster_workbook import GENDER_WORDS, OPTIONAL_FIELDS, Layout, cell_text, excel_date

# --- Errors ------------------------------------------------------------------------------------------


@dataclass
class ErrorLog:
    layout: Layout
    count: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: int, key: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MemberImport.MAX_STORED_ERRORS:
            position = self.layout.index.get(key)
            cell = f"{get_column_letter(position + 1)}{row}" if position is not None and row else ""
            self.items.append(
                {"row": row, "column": self.layout.label(key) if key else "", "cell": cell, "message": str(message)}
            )


# --- Units and tags --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    id: int
    path: str
    union_id: int | None


class UnitIndex:
    """The units in the import's scope, found by code or exact name, with the union each belongs to."""

    def __init__(self, scope: OrgUnit):
        self.scope_path = scope.path
        ancestors = [scope.path[:i] for i in range(OrgUnit.steplen, len(scope.path), OrgUnit.steplen)]
        rows = list(
            OrgUnit.objects.filter(Q(path__startswith=scope.path) | Q(path__in=ancestors)).values_list(
                "id", "path", "code", "name", "kind"
            )
        )
        unions = {path: pk for pk, path, _c, _n, kind in rows if kind == OrgUnit.Kind.UNION}
        self.by_code: dict[str, UnitRef] = {}
        self.by_name: dict[str, list[UnitRef]] = {}
        for pk, path, code, name, _kind in rows:
            if not path.startswith(scope.path):
                continue
            union_id = next(
                (
                    unions[path[:i]]
                    for i in range(len(path), 0, -OrgUnit.steplen)
                    if path[:i] in unions  # the nearest union at or above the unit
                ),
                None,
            )
            ref = UnitRef(pk, path, union_id)
            self.by_code[code] = ref
            self.by_name.setdefault(name, []).append(ref)

    def resolve(self, value: Any) -> tuple[UnitRef | None, str | None]:
        """(unit, None) when found in scope; (None, message) when wrong; (None, None) when unknown here."""
        text = cell_text(value, 100)
        if not text:
            return None, _("This field is required.")
        ref = self.by_code.get(text)
        if ref is None:
            named = self.by_name.get(text, [])
            if len(named) > 1:
                return None, _("Several units are called “%(value)s”; write the unit's code instead.") % {
                    "value": text[:30]
                }
            ref = named[0] if named else None
        if ref is None:
            return None, None
        if ref.union_id is None:
            return None, _("Members can only be placed in a union or below it.")
        return ref, None

    @staticmethod
    def explain_missing(values: set[str]) -> dict[str, str]:
        """Messages for values not found in scope: outside the importer's scope, or unknown."""
        outside = set()
        if values:
            for code, name in OrgUnit.objects.filter(Q(code__in=values) | Q(name__in=values)).values_list(
                "code", "name"
            ):
                outside.update({code, name})
        return {
            v: (
                _("The unit “%(value)s” is outside your scope.") % {"value": v[:30]}
                if v in outside
                else _("There is no unit with the code or name “%(value)s”.") % {"value": v[:30]}
            )
            for v in values
        }


class TagIndex:
    def __init__(self):
        self.by_name: dict[str, int] = {}
        for pk, code, name in MemberTag.objects.values_list("id", "code", "name"):
            self.by_name[name] = pk
            self.by_name.setdefault(code, pk)
            self.by_name.setdefault(code.lower(), pk)

    def resolve(self, value: Any) -> tuple[tuple[int, ...], list[str]]:
        names = [t.strip() for t in TAG_SEPARATORS.split(cell_text(value, 1000)) if t.strip()]
        ids, unknown = set(), []
        for name in names:
            pk = self.by_name.get(name, self.by_name.get(name.lower()))
            if pk is None:
                unknown.append(name[:20])
            else:
                ids.add(pk)
        return tuple(sorted(ids)), unknown


# --- Pass 1: validation ------------------------------------------------------------------------------


@dataclass(slots=True)
class CleanRow:
    row: int
    union_id: int
    unit_id: int
    unit_path: str
    fields: dict[str, Any]
    tag_ids: tuple[int, ...] | None


class Validator:
    """Checks rows batch by batch; remembers only the keys needed to find duplicates within the file."""

    def __init__(self, *, scope: OrgUnit, layout: Layout, errors: ErrorLog):
        self.scope_path = scope.path
        self.layout = layout
        self.errors = errors
        self.units = UnitIndex(scope)
        self.tags = TagIndex() if layout.present("tags") else None
        self.compared = [f for f in EDITABLE_FIELDS if f not in OPTIONAL_FIELDS or layout.present(f)]
        self.seen_employee: dict[str, int] = {}
        self.seen_id: dict[str, int] = {}
        self.seen_mobile: dict[str, int] = {}

    def check(self, batch: list[tuple[int, dict[str, Any]]]) -> list[CleanRow]:
        rows: list[CleanRow] = []
        missing_units: dict[str, list[int]] = {}
        for row_no, raw in batch:
            clean = self._clean(row_no, raw, missing_units)
            if clean is not None:
                rows.append(clean)
        if missing_units:
            for value, message in UnitIndex.explain_missing(set(missing_units)).items():
                for row_no in missing_units[value]:
                    self.errors.add(row_no, "unit", message)
        return self._check_database(self._check_file_duplicates(rows))

    def _clean(self, row_no: int, raw: dict[str, Any], missing_units: dict[str, list[int]]) -> CleanRow | None:
        data = {f: raw.get(f) for f in EDITABLE_FIELDS}
        data["birth_date"] = excel_date(data["birth_date"])
        data["joined_on"] = excel_date(data["joined_on"])
        if isinstance(data["gender"], str):
            data["gender"] = GENDER_WORDS.get(data["gender"].strip(), data["gender"])
        ok = True
        try:
            cleaned = clean_member_fields(data)
        except ValidationError as exc:
            ok = False
            cleaned = {}
            for key, messages in exc.message_dict.items():
                self.errors.add(row_no, key, messages[0])
        unit, message = self.units.resolve(raw.get("unit"))
        if unit is None:
            ok = False
            if message is None:
                missing_units.setdefault(cell_text(raw.get("unit"), 100), []).append(row_no)
            else:
                self.errors.add(row_no, "unit", message)
        tag_ids = None
        if self.tags is not None:
            tag_ids, unknown = self.tags.resolve(raw.get("tags"))
            if unknown:
                ok = False
                self.errors.add(row_no, "tags", _("Unknown tags: %(tags)s.") % {"tags": "、".join(unknown)})
        if not ok or unit is None:
            return None
        fields = {f: cleaned[f] for f in self.compared}
        return CleanRow(row_no, unit.union_id, unit.id, unit.path, fields, tag_ids)

    def _check_file_duplicates(self, rows: list[CleanRow]) -> list[CleanRow]:
        kept = []
        for r in rows:
            ok = True
            checks = [
                ("employee_no", self.seen_employee, f"{r.union_id}:{r.fields['employee_no']}"),
                ("id_number", self.seen_id, f"{r.union_id}:{r.fields.get('id_number') or ''}"),
                ("mobile", self.seen_mobile, r.fields.get("mobile") or ""),
            ]
            for key, seen, value in checks:
                if key not in r.fields or not r.fields[key]:
                    continue
                first = seen.get(value)
                if first is not None:
                    ok = False
                    self.errors.add(
                        r.row, key, _("The same value is already on row %(row)d of this file.") % {"row": first}
                    )
                else:
                    seen[value] = r.row
            if ok:
                kept.append(r)
        return kept

    def _check_database(self, rows: list[CleanRow]) -> list[CleanRow]:
        if not rows:
            return rows
        unions = {r.union_id for r in rows}
        existing = {
            (union_id, no): path
            for union_id, no, path in Member.objects.filter(
                union_id__in=unions, employee_no__in={r.fields["employee_no"] for r in rows}
            ).values_list("union_id", "employee_no", "unit_path")
        }
        ids = {r.fields["id_number"] for r in rows if r.fields.get("id_number")}
        id_owner = (
            {
                (union_id, id_number): no
                for union_id, id_number, no in Member.objects.filter(
                    union_id__in=unions, id_number__in=ids
                ).values_list("union_id", "id_number", "employee_no")
            }
            if ids
            else {}
        )
        mobiles = {r.fields["mobile"] for r in rows if r.fields.get("mobile")}
        mobile_owner = (
            {
                mobile: (union_id, no)
                for mobile, union_id, no in Member.objects.filter(mobile__in=mobiles).values_list(
                    "mobile", "union_id", "employee_no"
                )
            }
            if mobiles
            else {}
        )
        kept = []
        for r in rows:
            ok = True
            no = r.fields["employee_no"]
            path = existing.get((r.union_id, no))
            if path is not None and not path.startswith(self.scope_path):
                ok = False
                self.errors.add(r.row, "employee_no", _("This employee number belongs to a member outside your scope."))
            owner = id_owner.get((r.union_id, r.fields.get("id_number")))
            if owner is not None and owner != no:
                ok = False
                self.errors.add(r.row, "id_number", _("Another member of this union already has this ID number."))
            mobile_of = mobile_owner.get(r.fields.get("mobile"))
            if mobile_of is not None and mobile_of != (r.union_id, no):
                ok = False
                self.errors.add(r.row, "mobile", _("Another member already uses this mobile number."))
            if ok:
                kept.append(r)
        return kept
