"""Topic words of appeals: jieba's TF-IDF with our dictionary and stop words."""

from hypothesis import given, settings
from hypothesis import strategies as st

from unionhome.voices import keywords
from unionhome.voices.keywords import MAX_WORD_LENGTH, STOP_WORDS, is_topic_word, topic_words


def test_canteen_appeal_is_about_the_canteen():
    words = topic_words("食堂饭菜太咸\n最近一个月食堂饭菜偏咸，希望工会反映一下。")
    assert "食堂" in words and "饭菜" in words
    assert not {"希望", "工会", "反映", "一下", "最近", "一个月"} & set(words)


def test_union_terms_stay_whole():
    words = topic_words("夜班补贴三个月没发了，高温津贴也迟迟不到，劳保用品发放不及时")
    assert {"夜班补贴", "高温津贴", "劳保用品"} <= set(words)
    assert "夜班" not in words and "三个月" not in words
    assert "班车" in topic_words("倒班职工赶不上班车，班车时间能否调整")


def test_numbers_latin_and_stop_words_are_dropped():
    assert topic_words("2026年 WiFi 123 ABC 希望 问题 建议 我们") == []
    assert topic_words("") == [] and topic_words("食堂", limit=0) == []
    for word in ("一站", "三班", "第二", "一个月", "wifi", "食", "希望"):
        assert not is_topic_word(word), word
    assert is_topic_word("宿舍") and not is_topic_word("宿" * (MAX_WORD_LENGTH + 1))


def test_limit_and_order_are_kept():
    text = "宿舍空调坏了，宿舍热水器也坏了，宿舍楼道灯不亮，澡堂水温低，更衣室柜子不够"
    assert len(topic_words(text, limit=2)) == 2
    assert topic_words(text, limit=2) == topic_words(text, limit=5)[:2]


def test_loaded_once_and_fast_after():
    topic_words("食堂")
    first = keywords._extractor
    for _ in range(5):
        topic_words("班车经常晚点，倒班职工赶不上")
    assert keywords._extractor is first  # the dictionary is not loaded again


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_valid_words(text):
    words = topic_words(text)
    assert len(words) <= 5 and len(set(words)) == len(words)
    assert all(is_topic_word(w) and w not in STOP_WORDS for w in words)
