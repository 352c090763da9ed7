"""I/O glue: pipes, sockets, timers. With channel/ and __main__, the only code that touches the loop."""
