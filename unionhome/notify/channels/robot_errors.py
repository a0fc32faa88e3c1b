"""Which error codes of a WeCom or DingTalk group robot (``{"errcode": N, "errmsg": ...}``, N != 0) are worth
trying again.

``PERMANENT``: the same message to the same webhook will be refused again until a person acts (a wrong or
removed key, a robot switched off or taken out of its group, a DingTalk security setting the message does not
meet, content the platform will not take). The delivery fails at once with the platform's code and message;
once the cause is fixed an admin resends it by hand. ``RETRY``: the platform is busy or limiting the rate
(WeCom and DingTalk both allow 20 messages a minute per robot). A code not listed here is retried, as before:
when in doubt, try again.

Sources: WeCom's global error codes (developer.work.weixin.qq.com/document/path/90313, as mirrored in WxJava's
``WxCpErrorMsgEnum``) and its group robot page (document/path/91770, 20 messages a minute). DingTalk's custom
robot page (open.dingtalk.com/document/orgapp/custom-robot-access: its error table 400013 to 430104, the four
310000 messages, 20 messages a minute then 10 minutes blocked); 130101, 300001 and 300005 are not in that table
any more but are what the webhook answers in practice (e.g. timonwong/prometheus-webhook-dingtalk#91, #226).
"""

from unionhome.notify.models import Channel

PERMANENT, RETRY = True, False

# code: permanent?   # the platform's wording
WECOM: dict[int, bool] = {
    -1: RETRY,  # 系统繁忙 "system busy"
    45009: RETRY,  # 接口调用超过限制 "api freq out of limit"
    45033: RETRY,  # 接口并发调用超过限制 (too many calls at once)
    40008: PERMANENT,  # 不合法的msgtype参数 "invalid message type"
    40033: PERMANENT,  # 不合法的请求字符 (characters the platform refuses)
    40058: PERMANENT,  # 不合法的参数 (a field of the message is wrong)
    44004: PERMANENT,  # 文本消息content参数为空 (empty content)
    45002: PERMANENT,  # 消息内容大小超过限制 (content too long)
    93000: PERMANENT,  # 机器人webhookurl不合法或者机器人已经被移除出群 "invalid webhook url"
    93004: PERMANENT,  # 机器人被停用 (the robot is switched off)
    93008: PERMANENT,  # 不在群里 (the robot is not in the group)
}

DINGTALK: dict[int, bool] = {
    -1: RETRY,  # 系统繁忙 "system busy"
    130101: RETRY,  # "send too fast, exceed 20 times per minute" (blocked for 10 minutes)
    410100: RETRY,  # 发送速度太快而限流 (rate limited)
    300001: PERMANENT,  # "token is not exist" (the access_token is wrong)
    300005: PERMANENT,  # "token is not exist" (seen for robots of external groups)
    310000: PERMANENT,  # 消息校验未通过: "sign not match", "keywords not in content", "invalid timestamp",
    #                     "ip X.X.X.X not in whitelist": the robot's security settings
    400013: PERMANENT,  # 群已被解散 (the group was disbanded)
    400101: PERMANENT,  # access_token不存在 (no such access_token)
    400102: PERMANENT,  # 机器人已停用 (the robot is switched off)
    400105: PERMANENT,  # 不支持的消息类型 (unsupported message type)
    400106: PERMANENT,  # 机器人不存在 (no such robot in the group)
    430101: PERMANENT,  # 含有不安全的外链 (an unsafe link)
    430102: PERMANENT,  # 含有不合适的文本 (unacceptable text)
    430103: PERMANENT,  # 含有不合适的图片 (an unacceptable image)
    430104: PERMANENT,  # 含有不合适的内容 (unacceptable content)
}


def errcode_is_permanent(platform: str, errcode: object) -> bool:
    """Whether the robot's ``errcode`` means trying again cannot help (see the tables above)."""
    if not isinstance(errcode, int) or isinstance(errcode, bool):
        return False
    table = WECOM if platform == Channel.WECOM else DINGTALK
    return table.get(errcode, RETRY)
