"""pymediasoup's media worker: mediasoup 3.7's worker process, in Python.

Start it with ``python -m pymediasoup_worker`` (or the ``pymediasoup-worker`` command).
Keep this module free of imports: it is on the worker's start-up path.
"""

__version__ = "0.1.0"
