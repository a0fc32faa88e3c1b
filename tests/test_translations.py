"""The Simplified Chinese catalogue is complete, current and compiled; English is the source language."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def real_entries(catalogue):
    return [e for e in catalogue if not e.obsolete and e.msgid]


def test_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in real_entries(po) if not e.translated()]
    fuzzy = [e.msgid for e in real_entries(po) if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in real_entries(polib.pofile(str(PO))):
        if entry.msgid_plural:
            continue
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), entry.msgid


def test_compiled_catalogue_is_current():
    po = {(e.msgctxt, e.msgid): e.msgstr for e in real_entries(polib.pofile(str(PO))) if not e.msgid_plural}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO)) if e.msgid and not e.msgid_plural}
    assert po == mo, "run `make messages` to recompile locale/zh_Hans/LC_MESSAGES/django.mo"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="xgettext (gettext) is not installed")
def test_every_source_string_is_in_the_catalogue(tmp_path):
    """Extract the strings afresh from a copy of the code and compare with the committed catalogue."""
    shutil.copytree(ROOT / "unionhome", tmp_path / "unionhome", ignore=shutil.ignore_patterns("__pycache__", "dist"))
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "unionhome.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    extracted = polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))
    fresh = {(e.msgctxt, e.msgid) for e in real_entries(extracted)}
    committed = {(e.msgctxt, e.msgid) for e in real_entries(polib.pofile(str(PO)))}
    missing = sorted(m for _, m in fresh - committed)
    assert not missing, f"strings missing from the catalogue (run `make messages` and translate): {missing[:30]}"
