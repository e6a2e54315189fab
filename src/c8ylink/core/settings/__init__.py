"""Generic "schema as data" settings engine: keys, value types, layered resolution (stdlib only).

``schema`` declares keys, ``types``/``durations``/``hosts`` parse and format their values, ``resolve``
layers defaults < file < environment into a ``Settings`` view, ``edit`` changes a TOML document.
Nothing here reads files or the environment: callers pass them in.
"""
