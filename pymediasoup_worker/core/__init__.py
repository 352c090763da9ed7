"""Sans-IO protocol cores: bytes and now_ms in; bytes, events and the next deadline out."""
