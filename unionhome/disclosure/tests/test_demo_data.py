"""The disclosure demo (``unionhome/demo/disclosure_data.py``): notices, receipts and questions that hold
together, and that the board, receipts and queue pages read."""

import random

from tests import factories
from unionhome.demo import disclosure_data
from unionhome.disclosure.models import Notice, NoticeAttachment, NoticeQuestion, NoticeRead
from unionhome.disclosure.selectors.notices import board_for
from unionhome.disclosure.selectors.questions import question_queue
from unionhome.disclosure.services.attachments import storage_path


def test_the_demo_builds_a_realistic_board(union, people):
    for i in range(12):
        factories.member(union["g11" if i % 3 else "g21"], f"职工{i}")
    factories.user("demo-chair", roles=(("chair", union["union"]),))
    disclosure_data.build(union=union["union"], session=None, rng=random.Random(7))
    published = Notice.objects.filter(status="published")
    assert published.filter(audience_path=union["union"].path).count() == 12
    assert published.filter(audience_path=union["s1"].path).count() == 2
    assert Notice.objects.filter(status="draft").count() == 1 and published.filter(pinned=True).count() == 1
    assert set(published.values_list("category", flat=True)) == set(Notice.Category.values)
    attachment = NoticeAttachment.objects.get()
    assert storage_path(attachment.stored_name).read_bytes().startswith(b"%PDF-")
    reads = NoticeRead.objects.count()
    assert 0 < reads < published.count() * 15
    for read in NoticeRead.objects.select_related("notice"):
        assert read.unit_path.startswith(read.notice.audience_path)
    assert NoticeQuestion.objects.filter(answered_at__isnull=True).count() == 1
    assert NoticeQuestion.objects.filter(answered_at__isnull=False).count() == 4
    assert [n.pinned for n in board_for(people["member"])][:2] == [True, False]
    assert question_queue(people["cadre"]).count() == 1
