"""decline-coach: an offline coach for turning down a job offer without burning the bridge.

The engine (everything in ``bot`` except ``bot.tui``) never imports Textual, so the coach
can run headless, in plain mode, and inside tests and benchmarks.
"""

__version__ = "0.1.0"
