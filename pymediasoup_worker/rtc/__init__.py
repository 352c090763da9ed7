"""mediasoup's RTC object graph (Router, Transport, Producer, Consumer, ...).

Synchronous code: no asyncio, socket or time imports. Sending and the clock are
injected through :class:`pymediasoup_worker.rtc.shared.Shared`.
"""
