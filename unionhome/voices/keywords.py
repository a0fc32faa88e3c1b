"""Topic words of an appeal (诉求关键词): what it is about, in two to five Chinese words.

``topic_words(text)`` runs jieba's TF-IDF keyword extraction over the title and details and keeps Chinese
words of two characters or more that say what the appeal is about: the words every appeal uses (希望,
问题, 建议, 工会…), function words, numbers ("一个月", "三班") and latin noise are dropped. A small user
dictionary teaches jieba the union's and the workplace's own terms (夜班补贴, 高温津贴, 劳保用品, 班车…)
so that they stay one word.

jieba takes about half a second to load its dictionary. It is loaded once per process, on the first
call (never at import: web workers that never see an appeal do not pay for it), in a private tokenizer
(no global state changed for other users of jieba) with its log messages silenced. After that a call
costs a few milliseconds.
"""

import logging
import re
import threading

MAX_WORD_LENGTH = 30  # TopicCount.word

# The union's and the workplace's own terms, kept whole (word, part of speech: n noun, v verb).
USER_WORDS = [
    "夜班补贴",
    "夜班费",
    "高温津贴",
    "高温补贴",
    "防暑降温",
    "劳保用品",
    "劳保鞋",
    "劳保服",
    "防护用品",
    "工作服",
    "班车",
    "通勤车",
    "倒班",
    "四班三倒",
    "两班倒",
    "加班费",
    "绩效工资",
    "岗位工资",
    "年休假",
    "带薪休假",
    "体检",
    "职业病",
    "职业健康",
    "食堂",
    "饭菜",
    "工作餐",
    "宿舍",
    "澡堂",
    "更衣室",
    "停车场",
    "技能培训",
    "技能鉴定",
    "职称评审",
    "劳动合同",
    "社保",
    "公积金",
    "困难帮扶",
    "取样",
    "化验室",
    "检验站",
]

# Words that appeals share whatever they are about, and function words jieba's IDF does not rule out.
STOP_WORDS = frozenset(
    """
    希望 问题 建议 我们 你们 他们 大家 自己 本人 工会 职工 员工 同事 工友 领导 单位 公司 部门 有关 相关
    反映 反馈 诉求 意见 请问 能否 是否 可否 能不能 可不可以 一下 情况 已经 目前 最近 现在 近期 一直 经常
    总是 非常 比较 特别 十分 有点 有些 一些 一点 没有 不能 不是 不会 不够 不要 可以 能够 需要 应该 一定
    必须 尽快 及时 马上 立即 解决 处理 改进 改善 落实 考虑 研究 协调 进行 存在 出现 发生 导致 造成 影响
    这个 那个 这些 那些 这样 那样 这种 那种 什么 怎么 怎样 为什么 如何 哪里 多少 还是 还有 而且 但是
    不过 因为 所以 如果 虽然 然后 另外 以及 或者 并且 关于 对于 由于 通过 根据 按照 为了 以后 之前 之后
    以前 时候 今天 昨天 明天 今年 去年 明年 本月 上月 每天 每次 每月 每周 谢谢 感谢 麻烦 辛苦 各位 您好
    你好 此事 这件 事情 东西 方面 地方 问下 一样 所有 其他 其它 很多 太多 许多 不少 几次 多次 一次
    同志 师傅 工人 按时 没发 没人 年底 月底 当前 希望能 给予 提供 要求 规定 工作 有关部门 上级 下面 上面 里面 一般 基本
    """.split()
)

_NUMERALS = "零〇一二两三四五六七八九十百千万几第半"
_MEASURES = "个月天年日号次位名站班组周点分层楼车间人元块"
_NUMBER_WORD = re.compile(rf"^[{_NUMERALS}]+[{_MEASURES}]*$")
_CHINESE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")

_lock = threading.Lock()
_extractor = None


def _load():
    """jieba's TF-IDF extractor with a private tokenizer and our dictionary, made once per process."""
    global _extractor
    if _extractor is not None:
        return _extractor
    with _lock:
        if _extractor is None:
            import jieba
            import jieba.analyse
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in USER_WORDS:
                tokenizer.add_word(word, freq=20000, tag="n")
            extractor = jieba.analyse.TFIDF()
            extractor.tokenizer = tokenizer
            extractor.postokenizer = jieba.posseg.POSTokenizer(tokenizer)
            extractor.stop_words = set(extractor.stop_words) | STOP_WORDS
            _extractor = extractor
    return _extractor


def is_topic_word(word: str) -> bool:
    """A word worth counting: Chinese only, 2 to 30 characters, no stop word, no number with its measure."""
    return (
        2 <= len(word) <= MAX_WORD_LENGTH
        and _CHINESE.match(word) is not None
        and word not in STOP_WORDS
        and _NUMBER_WORD.match(word) is None
    )


def topic_words(text: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` topic words of ``text`` (an appeal's title and details), most telling first."""
    if not text or limit <= 0:
        return []
    extractor = _load()
    found: list[str] = []
    for word in extractor.extract_tags(text[:5000], topK=limit * 4):
        if is_topic_word(word) and word not in found:
            found.append(word)
            if len(found) == limit:
                break
    return found
