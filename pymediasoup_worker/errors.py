"""The worker's two error kinds, as mediasoup's MediaSoupError / MediaSoupTypeError.

A request handler raises one of them; the channel turns it into an ``"Error"`` or
``"TypeError"`` reply (and an ``E`` log line), and the worker goes on.
"""


class MediaSoupError(Exception):
    pass


class MediaSoupTypeError(MediaSoupError):
    pass
