"""`tedge-mapper c8y`: thin-edge topics <-> Cumulocity, as pure converters (tedge.md §6).

Everything here is values in, values out: ``converter.convert(message, state, now, config)`` returns
the messages to publish. No MQTT, HTTP, files or clock reads; the mapper service (the only I/O)
subscribes, calls ``convert`` and publishes what it returns.
"""
