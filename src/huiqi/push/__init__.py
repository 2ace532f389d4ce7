"""精准推送 (issue 15): telling exactly the enterprises a change concerns.

    models.py    messages (the inbox), deliveries (one per message × external channel),
                 subscriptions — migration 0013
    outbox.py    :func:`notify`: a message and its deliveries written in the transaction of
                 the change (idempotent: one message per key)
    channels.py  e-mail (SMTP), WeCom / DingTalk / Feishu group robots, SMS
    delivery.py  the worker's round: claim, send, retry with backoff, dead letters, rate
                 limits per channel
"""
