"""Follow-up codes: their shape, the keyed digest, finding an appeal by code, and the guessing limits
(per client address, overall, per window, across processes)."""

import multiprocessing

import pytest

from unionhome.voices import follow_up_codes
from unionhome.voices.selectors.appeals import CodeRefused, appeal_by_code
from unionhome.voices.tests.appeal_helpers import send


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


def test_codes_are_grouped_unambiguous_and_different():
    codes = {follow_up_codes.code_make() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(follow_up_codes.ALPHABET)
        assert not set("".join(groups)) & set("01OIL")


def test_what_a_person_types_is_normalised():
    code = "K7QM-3XWP-HT9A-C4RN"
    digest = follow_up_codes.code_digest(code)
    assert len(digest) == 64
    for typed in ("k7qm3xwpht9ac4rn", " K7QM 3XWP HT9A C4RN ", "k7qm-3xwp-ht9a-c4rn"):
        assert follow_up_codes.code_digest(typed) == digest
    for wrong in ("", "K7QM-3XWP-HT9A-C4R", "K7QM-3XWP-HT9A-C4RN0", "O7QM-3XWP-HT9A-C4RN", "x" * 100, None, 5):
        assert follow_up_codes.code_digest(wrong) is None


def test_the_digest_is_keyed_by_the_secret_key(settings):
    code = follow_up_codes.code_make()
    first = follow_up_codes.code_digest(code)
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789"
    assert follow_up_codes.code_digest(code) != first
    import hashlib

    assert first != hashlib.sha256(code.replace("-", "").encode()).hexdigest()


def test_the_code_finds_its_appeal_and_nothing_else(voices):
    appeal, code = send(voices["member"], anonymous=True)
    named, _ = send(voices["member"])
    assert appeal_by_code(code, client="10.0.0.1") == appeal
    with pytest.raises(CodeRefused) as caught:
        appeal_by_code("AAAA-BBBB-CCCC-DDDD", client="10.0.0.1")
    assert caught.value.code == "wrong_code" and "No appeal has this code" in caught.value.messages[0]
    with pytest.raises(CodeRefused):
        appeal_by_code("", client="10.0.0.1")


def test_too_many_wrong_codes_from_one_address_block_even_the_right_one(voices):
    appeal, code = send(voices["member"], anonymous=True)
    for _ in range(follow_up_codes.PER_CLIENT_FAILURES):
        with pytest.raises(CodeRefused):
            appeal_by_code("AAAA-BBBB-CCCC-DDDD", client="10.0.0.9")
    with pytest.raises(CodeRefused) as caught:
        appeal_by_code(code, client="10.0.0.9")
    assert caught.value.code == "too_many"
    assert appeal_by_code(code, client="10.0.0.10") == appeal  # another address is not held back


def test_the_overall_limit_holds_for_every_address(voices, monkeypatch):
    monkeypatch.setattr(follow_up_codes, "OVERALL_FAILURES", 3)
    _, code = send(voices["member"], anonymous=True)
    for n in range(3):
        with pytest.raises(CodeRefused):
            appeal_by_code("AAAA-BBBB-CCCC-DDDD", client=f"10.1.0.{n}")
    with pytest.raises(CodeRefused) as caught:
        appeal_by_code(code, client="10.2.0.1")
    assert caught.value.code == "too_many"


def test_the_limit_ends_with_its_window():
    start = 1_800_000_000.0
    for _ in range(follow_up_codes.PER_CLIENT_FAILURES):
        follow_up_codes.attempt_failed("10.0.0.5", now=start)
    assert not follow_up_codes.attempt_allowed("10.0.0.5", now=start + 1)
    later = start + follow_up_codes.WINDOW_SECONDS
    assert follow_up_codes.attempt_allowed("10.0.0.5", now=later)
    follow_up_codes.attempt_failed("10.0.0.5", now=later)  # and the old window's files are removed
    names = [p.name for p in follow_up_codes._folder().iterdir() if not p.name.startswith(".")]
    assert names and all(name.endswith(f".{follow_up_codes._window(later)}") for name in names)


def test_no_address_is_stored_in_clear():
    follow_up_codes.attempt_failed("192.168.77.12")
    stored = " ".join(p.name + p.read_text() for p in follow_up_codes._folder().iterdir())
    assert "192.168" not in stored


def _fail_many(root: str, times: int) -> None:
    import django
    from django.conf import settings

    if not settings.configured:  # pragma: no cover (a spawned process)
        django.setup()
    settings.UNIONHOME_PRIVATE_ROOT = root
    for _ in range(times):
        follow_up_codes.attempt_failed("10.3.0.1", now=1_800_000_000.0)


def test_the_counts_hold_across_processes(settings, tmp_path):
    """Like gunicorn's worker processes: two processes counting at once lose no count."""
    root = str(tmp_path / "shared")
    settings.UNIONHOME_PRIVATE_ROOT = root
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_fail_many, args=(root, 40)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    mine, overall = follow_up_codes._counts(
        follow_up_codes._folder(), "10.3.0.1", follow_up_codes._window(1_800_000_000.0)
    )
    assert int(mine.read_text()) == 80 and int(overall.read_text()) == 80
