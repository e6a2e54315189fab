"""The `tedge` root command declared as data, shared by the click command (``root.py``) and the
click-free ``--help`` of ``main.py``; ``tests/unit/device/cli/test_quick.py`` holds both pages equal."""

from __future__ import annotations

PROG = "tedge"
USAGE_ARGS = "[OPTIONS] COMMAND [ARGS]..."
DOC = "tedge is the cli tool for thin-edge.io"

# name -> ("module:attribute" imported only when the command runs, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "init": ("c8ylink.device.cli.init:init_cmd", "Initialize Thin Edge"),
    "cert": ("c8ylink.device.cli.cert:cert_cmd", "Create and manage device certificate"),
    "config": ("c8ylink.device.cli.config:config_cmd", "Configure Thin Edge."),
    "connect": ("c8ylink.device.cli.connect:connect_cmd", "Connect to cloud provider"),
    "mqtt": ("c8ylink.device.cli.mqtt:mqtt_cmd", "Publish a message on a topic and subscribe a topic"),
    "disconnect": ("c8ylink.device.cli.connect:disconnect_cmd", "Remove bridge connection for a provider"),
    "reconnect": (
        "c8ylink.device.cli.connect:reconnect_cmd",
        "Reconnect command, calls disconnect followed by connect",
    ),
    "refresh-bridges": (
        "c8ylink.device.cli.connect:refresh_bridges_cmd",
        "Refresh all currently active mosquitto bridges (restarts mosquitto)",
    ),
    "completions": ("c8ylink.device.cli.completions:completions_cmd", "Generate shell completions"),
    "upload": ("c8ylink.device.cli.upload:upload_cmd", "Upload files to the cloud"),
    "http": ("c8ylink.device.cli.http:http_cmd", "Send HTTP requests to local thin-edge HTTP servers"),
    "diag": ("c8ylink.device.cli.diag:diag_cmd", "Collect diagnostic information to help with debugging"),
}

CONFIG_DIR_HELP = "[env: TEDGE_CONFIG_DIR] [default: /etc/tedge]"
DEBUG_HELP = "Turn-on the DEBUG log level. If off only reports ERROR, WARN, and INFO"
LOG_LEVELS = ("error", "warn", "info", "debug", "trace")
LOG_LEVEL_HELP = "Configures the logging level"

# the options as click lists them in --help (click adds --version and --help itself)
OPTION_ROWS: tuple[tuple[str, str], ...] = (
    ("--config-dir DIRECTORY", CONFIG_DIR_HELP),
    ("--debug", DEBUG_HELP),
    (f"--log-level [{'|'.join(LOG_LEVELS)}]", LOG_LEVEL_HELP),
    ("-V, --version", "Show the version and exit."),
    ("-h, --help", "Show this message and exit."),
)

GLOBAL_OPTIONS_WITH_VALUE = ("--config-dir", "--log-level")
GLOBAL_FLAGS = ("--debug",)
