"""The diagnostic plugins c8ylink ships (POSIX shell scripts, package data): `tedge init` and the .deb
put them into ``/usr/share/tedge/diag-plugins``, the default of ``diag.plugin_paths``.

Each is called as ``<plugin> collect --output-dir DIR --config-dir DIR``, writes files into DIR and
prints what it finds; it exits 0, 2 when it does not apply here (e.g. no mosquitto), else 1.
"""

SHIPPED = (
    "01_tedge.sh",  # tedge config list, tedge.toml/system.toml (secrets redacted), the services' logs
    "02_os.sh",  # the system: kernel, release, uptime, disks, memory, processes
    "03_mqtt.sh",  # the retained messages of the local broker (entity registrations), then 5 s of traffic
    "04_entities.sh",  # tedge-agent's entity store (/te/v1/entities)
    "05_mosquitto.sh",  # mosquitto's configuration (passwords redacted) and log
    "template.sh.ignore",  # a template to start a plugin of your own from (ignored: .ignore)
)
