"""The ``c8ylink`` umbrella command: lazily loads ``c8ylink tenant ...`` (and later ``c8ylink demo``)."""
