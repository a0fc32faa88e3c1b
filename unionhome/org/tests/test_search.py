import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import factories
from unionhome.org import selectors
from unionhome.org.models import Member
from unionhome.org.names import pinyin_initials, pinyin_key


@pytest.fixture
def named(union):
    for name in ["张三", "张珊", "赵四", "章子", "李明", "黎明", "欧阳娜娜"]:
        factories.member(union["g11"], name)
    return Member.objects.all()


def names(qs):
    return sorted(m.name for m in qs)


def test_pinyin_initials_find_zhang_san(named):
    assert names(selectors.member_search(named, "zs")) == ["张三", "张珊", "赵四"]
    assert names(selectors.member_search(named, "ZS")) == ["张三", "张珊", "赵四"]
    assert names(selectors.member_search(named, "zhs")) == []


def test_full_pinyin_prefix_and_name_prefix(named):
    assert names(selectors.member_search(named, "zhang")) == ["张三", "张珊", "章子"]
    assert names(selectors.member_search(named, "zhangs")) == ["张三", "张珊"]
    assert names(selectors.member_search(named, "张")) == ["张三", "张珊"]
    assert names(selectors.member_search(named, "oy")) == ["欧阳娜娜"]


def test_employee_number_prefix(named):
    m = named.get(name="李明")
    assert list(selectors.member_search(named, m.employee_no)) == [m]


def test_sorted_by_pinyin_with_keyset_pages(named):
    page = selectors.member_page(named, None, size=3)
    seen = [m.name for m in page.items]
    while page.next_cursor:
        page = selectors.member_page(named, page.next_cursor, size=3)
        seen += [m.name for m in page.items]
    assert seen == [m.name for m in sorted(named, key=lambda m: (m.name_pinyin, m.pk))]
    assert seen[0] == "黎明" or seen[0] == "李明"


def test_bad_cursor_is_ignored(named):
    assert len(selectors.member_page(named, "not-a-cursor!!", size=100).items) == named.count()


def test_like_wildcards_are_literal(named):
    assert not selectors.member_search(named, "%").exists()
    assert not selectors.member_search(named, "_s").exists()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="张三李四王五赵钱孙周吴郑欧阳", min_size=1, max_size=4))
def test_initials_are_a_prefix_of_letters(name):
    initials, full = pinyin_initials(name), pinyin_key(name)
    assert len(initials) == len(name)
    assert full.startswith(initials[0])


def test_name_prefix_with_single_reading_uses_the_pinyin_key_too(named):
    from unionhome.org.names import unambiguous_pinyin_prefix

    assert unambiguous_pinyin_prefix("张") == "zhang"
    assert unambiguous_pinyin_prefix("曾") == "zeng"  # as a surname
    assert unambiguous_pinyin_prefix("李明") is None  # 明: ming or meng
    assert unambiguous_pinyin_prefix("a张") is None
    query = str(selectors.member_search(named, "张").query)
    assert "name_pinyin" in query
    assert names(selectors.member_search(named, "张三")) == ["张三"]
    assert names(selectors.member_search(named, "欧阳")) == ["欧阳娜娜"]


def test_surnames_read_as_surnames(union):
    from unionhome.org.names import pinyin_initials, pinyin_key

    assert (pinyin_key("曾小贤"), pinyin_initials("曾小贤")) == ("zengxiaoxian", "zxx")
    assert pinyin_key("单田芳") == "shantianfang" and pinyin_key("覃海") == "qinhai"
    factories.member(union["g11"], "曾小贤")
    assert names(selectors.member_search(Member.objects.all(), "zxx")) == ["曾小贤"]
    assert names(selectors.member_search(Member.objects.all(), "曾")) == ["曾小贤"]
