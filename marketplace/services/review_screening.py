"""The default screening of review text: contact details for WeChat and QQ, and the wording of
paid or fake reviews (刷单), which hold a review for a moderator.

Each rule has a code, recorded in `Review.hold_reasons` so the moderator reads which rule
held the review (the names are `HOLD_REASON_NAMES` in `blueprints/reviews/routes.py`).
`REVIEW_BLOCKLIST` adds words to these rules; it never replaces them.

The rules read the text *compacted*: NFKC-normalised (full-width ＶＸ and １２３ become vx and
123), case-folded, and with spaces, invisible characters and punctuation between characters
removed, so "V 信：chefu_888", "Ｑ Ｑ 1234 5678" and "微-信" read as "v信chefu888", "qq12345678"
and "微信". Symbols such as + are kept ("+v" is an invitation too).

They are written not to hold ordinary reviews: a contact word alone is not enough where it is
also an everyday word ("微信支付很方便", "QQ音乐"), it needs an id after it; V6, Q5 or BMW X5
are no WeChat (a bare v or q never counts, and wx/vx/qq not after another letter).
"""

import re
import unicodedata
from dataclasses import dataclass

# Characters removed between characters: separators (Z*), controls and invisible format
# characters (Cc, Cf: zero-width spaces and joiners), and punctuation (P*: - _ . , : ： 、 · …).
_DROPPED = ("Z", "Cc", "Cf", "P")

# What introduces a WeChat id: 微信 and its look-alikes, v信, vx/wx, weixin, wechat, 微信号.
_WECHAT_WORD = r"(?:微信|威信|薇信|徽信|維信|v信|(?<![a-z])(?:vx|wx)|weixin|wechat)"
# What introduces a QQ number: QQ (not 奇瑞QQ, a car), 扣扣/抠抠, 企鹅 (QQ's penguin), Q号.
_QQ_WORD = r"(?:(?<![a-z])(?<!奇瑞)qq|扣扣|抠抠|企鹅|(?<![a-z])q号)"
# What may stand between the word and the id: 号, 号码, id, 是, 为, 搜, 群.
_LINK = r"(?:号码|号|id|账号|是|为|搜|群|号是)?"
# A number that is a distance, a model year or a price is no id: "QQ3 2012款", "50000公里".
_NOT_A_QUANTITY = r"(?!\d|公里|千米|km|款|年|元|块|万)"


@dataclass(frozen=True)
class ScreenRule:
    code: str
    pattern: re.Pattern


def _rule(code: str, pattern: str) -> ScreenRule:
    return ScreenRule(code, re.compile(pattern))


DEFAULT_RULES = (
    # A WeChat id after a WeChat word: "加我微信 chefu888", "VX：abc_123", "V信 wang-2024",
    # "微信号 13800000000". A WeChat id is 6–20 letters, digits, - and _ (the last two are
    # dropped by compacting); a QQ or phone number serves as one too (5+ digits).
    _rule(
        "wechat", _WECHAT_WORD + _LINK + r"(?:[a-z][a-z0-9]{5,19}|\d{5,}" + _NOT_A_QUANTITY + ")"
    ),
    # A QQ number after a QQ word: "QQ 12345678", "扣扣：1234567", "企鹅号 88886666",
    # "QQ群 123456". QQ numbers have 5 to 11 digits.
    _rule("qq", _QQ_WORD + _LINK + r"\d{5,11}" + _NOT_A_QUANTITY),
    # Asking to be added on WeChat or QQ, with or without the id: "加V", "加微", "+v",
    # "加我微信", "加个vx", "加扣扣", "加企鹅". Not "加V6", "加VIP", "追加V型带", "更加微妙", nor
    # the everyday 加微调 / 微小 / 微笑 … ("稍加微调" is a wheel alignment).
    _rule(
        "contact_invite",
        r"(?:(?<![参增添追更])加|\+)(?:我|个|一下|下)?(?:"
        r"v信|vx|wx|v(?![a-z0-9型字带])|qq|扣扣|企鹅|威信|薇信?|"
        r"微(?!妙|调|弱|小|量|微|波|型|软|笑|米|胖|积|雕|创|缩|距|观|粒))",
    ),
    # Cash or gifts for a (five-star) review: 好评返现, 返现, 五星好评返 …, 晒图返 …, 好评有礼,
    # 好评有奖, 返红包, 好评红包.
    _rule("cashback", r"返现|好评返|晒图返|好评有礼|好评有奖|返红包|好评红包|五星返"),
    # Buying or faking reviews and orders: 刷单, 刷好评, 代刷, 刷信誉, 刷五星, 刷评价, 买好评.
    _rule("fake_review", r"刷单|刷好评|代刷|刷信誉|刷五星|刷评价|刷评论|买好评|刷销量"),
    # Recruiting: join a group, part-time jobs (the usual door to 刷单): 加群, 进群, 兼职,
    # 招代理 (not 参加群 …).
    _rule("recruiting", r"(?<![参增添追])加群|进群|兼职|招代理"),
)

RULE_CODES = tuple(rule.code for rule in DEFAULT_RULES)


def compact(text: str) -> str:
    """NFKC, case-folded, with separators, invisible characters and punctuation removed."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(_DROPPED))


def matched_rules(text: str) -> list[str]:
    """The codes of the default rules `text` matches, in the order of DEFAULT_RULES."""
    squeezed = compact(text)
    return [rule.code for rule in DEFAULT_RULES if rule.pattern.search(squeezed)]


def matches_word(text: str, words) -> bool:
    """Whether `text` contains one of `words` (REVIEW_BLOCKLIST), both compacted."""
    squeezed = compact(text)
    return any(word and word in squeezed for word in (compact(w) for w in words))
