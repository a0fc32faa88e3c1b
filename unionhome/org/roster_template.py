"""The empty roster workbook a cadre downloads to fill in: header, notes, their units, allowed values."""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from unionhome.access.policy import require, scope_q
from unionhome.org.models import Member, MemberTag, OrgUnit
from unionhome.org.roster_columns import COLUMNS
from unionhome.org.roster_workbook import PERMISSION, max_rows


def roster_import_template(*, actor) -> io.BytesIO:
    """An empty roster workbook: the header row, column notes, the actor's units and the allowed values."""
    require(actor, PERMISSION)
    language = translation.get_language()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")[:31]
    bold = Font(bold=True)
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=column.label(language) + (" *" if column.required else ""))
        cell.font = bold
        sheet.column_dimensions[letter].width = column.width + 4
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions")[:31])
    notes.append([_("Column"), _("Also accepted"), _("Required"), _("What to write")])
    for column in COLUMNS:
        other = column.en if column.label(language) == column.zh else column.zh
        notes.append([column.label(language), other, _("yes") if column.required else _("no"), str(column.help)])
    notes.append([])
    notes.append([_("One member per row below the column names. Rows are matched on the employee number:")])
    notes.append([_("a new number adds a member, a known one updates that member. If any row is wrong,")])
    notes.append([_("nothing is imported and every problem is listed with its row and column.")])
    for letter, width in zip("ABCD", (14, 18, 10, 70), strict=True):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = bold

    units = workbook.create_sheet(_("Units")[:31])
    units.append([_("Code"), pgettext("org unit", "Name"), _("Kind")])
    for code, name, kind in (
        OrgUnit.objects.filter(scope_q(actor, PERMISSION, "path"))
        .order_by("path")
        .values_list("code", "name", "kind")[:5000]
    ):
        units.append([code, name, str(OrgUnit.Kind(kind).label)])
    for letter, width in zip("ABC", (16, 30, 14), strict=True):
        units.column_dimensions[letter].width = width
    for cell in units[1]:
        cell.font = bold

    values = workbook.create_sheet(_("Allowed values")[:31])
    lists = [
        ("gender", Member.Gender),
        ("job_category", Member.JobCategory),
        ("employment_form", Member.EmploymentForm),
    ]
    values.append(
        [next(c for c in COLUMNS if c.key == key).label(language) for key, _choices in lists]
        + [next(c for c in COLUMNS if c.key == "tags").label(language)]
    )
    columns_of_values = [[str(label) for _v, label in choices.choices] for _key, choices in lists]
    columns_of_values.append(list(MemberTag.objects.order_by("name").values_list("name", flat=True)[:500]))
    for row in range(max(len(c) for c in columns_of_values)):
        values.append([c[row] if row < len(c) else None for c in columns_of_values])
    for index, (key, _choices) in enumerate(lists):
        letter = get_column_letter(index + 1)
        values.column_dimensions[letter].width = 22
        position = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)
        quoted = values.title.replace("'", "''")
        validation = DataValidation(
            type="list",
            formula1=f"'{quoted}'!${letter}$2:${letter}${len(columns_of_values[index]) + 1}",
            allow_blank=True,
        )
        validation.add(f"{get_column_letter(position)}2:{get_column_letter(position)}{max_rows() + 1}")
        sheet.add_data_validation(validation)
    for cell in values[1]:
        cell.font = bold

    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return output
