"""The per-chat command budget."""

from bot.telegram.throttle import CommandThrottle, Verdict


def test_a_chat_over_budget_is_warned_once_then_ignored_until_the_window_passes():
    throttle = CommandThrottle(limit=3, window=60)
    verdicts = [throttle.check(1, t) for t in (0, 1, 2, 3, 4)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP]
    assert throttle.check(2, 4) is Verdict.ALLOW  # other chats are unaffected
    assert throttle.check(1, 60.5) is Verdict.ALLOW  # the first command left the window
    assert throttle.check(1, 60.6) is Verdict.WARN  # three within the last 60 s again


def test_memory_stays_bounded_by_forgetting_idle_chats():
    throttle = CommandThrottle(limit=1, window=10, max_chats=100)
    for chat in range(1000):
        throttle.check(chat, float(chat))
    assert len(throttle._seen) <= 100
