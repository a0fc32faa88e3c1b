"""Every page carries a strict Content Security Policy, and no template relies on inline code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_login_page_has_strict_csp(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_scripts_handlers_or_styles():
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    for path in ROOT.glob("unionhome/**/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, handler, style_attr):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert not offenders, offenders
