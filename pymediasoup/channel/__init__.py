"""The controller's side of the worker channels (Channel and PayloadChannel)."""
