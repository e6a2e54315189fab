"""`tedge-agent`: runs the commands thin-edge publishes on ``te/<device>/cmd/<op>/<id>`` for the main
device (restart, software list/update through sm-plugins), registers its capabilities, reports its
health. ``service`` is the I/O shell; ``commands``, ``system_config`` and the plugin output parsing
are pure.
"""
