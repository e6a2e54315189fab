"""The SmartREST 2.0 static templates as data (cumulocity-api.md §2.2, §2.3, §2.5).

One ``TemplateSpec`` per message id: its name, direction, topic and fields. Fields after the template
id are ``fields`` (fixed positions) followed by any number of ``group`` repetitions (201's
``(fragment,series,value,[unit])+``, 116's ``(name,version,url)*``, 528's 4-tuples, ...). Downstream
operation templates (5xx on ``s/ds``) start with the ``target`` field: the external id of the device
or child that should run the operation; their other field names are the keys of the operation's JSON
fragment (``relayState`` of ``c8y_Relay``, ``type`` of ``c8y_DownloadConfigFile``), see ``operations``.

Everything else is derived from this table: arity/type validation (``validation``), the generic
parser/builder (``messages.parse_record``/``build_record``) and the round-trip tests.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Direction(enum.Enum):
    UPSTREAM = "upstream"  # device -> platform (s/us, s/us/<child>)
    DOWNSTREAM = "downstream"  # platform -> device (s/ds, s/dat, s/dcr)
    ERROR = "error"  # platform -> device, debug/error channel (s/e)


class ValueKind(enum.Enum):
    STRING = "STRING"
    NUMBER = "NUMBER"  # decimal, optional exponent
    INTEGER = "INTEGER"
    TIME = "TIME"  # RFC 3339 with offset (+hhmm tolerated)
    BOOLEAN = "BOOLEAN"  # true|false, any case
    SEVERITY = "SEVERITY"  # CRITICAL|MAJOR|MINOR|WARNING, any case


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One position of a template. ``default`` is what the platform assumes for an empty value."""

    name: str
    kind: ValueKind = ValueKind.STRING
    required: bool = True
    default: str | None = None
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None  # an INTEGER's smallest and largest value


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    id: int
    name: str
    direction: Direction
    summary: str
    fields: tuple[FieldSpec, ...] = ()
    group: tuple[FieldSpec, ...] = ()
    min_groups: int = 0
    one_of: tuple[str, ...] = ()  # at least one of these (optional) fields must be set
    fragment: str | None = None  # operation fragment a 5xx template stands for
    reply: int | None = None  # id of the server's answer (105 -> 106, ...)

    @property
    def topic(self) -> str:
        return _TOPICS[self.direction]


_TOPICS = {Direction.UPSTREAM: "s/us", Direction.DOWNSTREAM: "s/ds", Direction.ERROR: "s/e"}

S, N, INT, T, B = ValueKind.STRING, ValueKind.NUMBER, ValueKind.INTEGER, ValueKind.TIME, ValueKind.BOOLEAN
UP, DOWN, ERR = Direction.UPSTREAM, Direction.DOWNSTREAM, Direction.ERROR
Choices = tuple[str, ...]


def f(name: str, kind: ValueKind = S, *, default: str | None = None, choices: Choices = ()) -> FieldSpec:
    """A mandatory field."""
    return FieldSpec(name, kind, True, default, choices)


def o(
    name: str,
    kind: ValueKind = S,
    *,
    default: str | None = None,
    choices: Choices = (),
    bounds: tuple[int, int] | None = None,
) -> FieldSpec:
    """An optional field."""
    return FieldSpec(name, kind, False, default, choices, bounds)


# Cumulocity's range of c8y_RequiredAvailability.responseInterval (minutes, a 16-bit signed number)
RESPONSE_INTERVAL_BOUNDS = (-32768, 32767)


TARGET = f("target")  # external id of the device/child an operation is for
_TIME = o("time", T, default="server time")
_ALARM = (f("type"), o("text", default="Alarm of type <type> raised"), _TIME)
_POSITION = (o("lat", N), o("lng", N), o("alt", N), o("accuracy", N), _TIME)
_SOFTWARE_ADVANCED = (f("name"), o("version"), o("softwareType"), o("url"))  # thin-edge sends 140,a,,...
_ACTIONS = ("install", "delete")
_ERROR_FIELDS = (o("reference"), o("message"))

TEMPLATES: tuple[TemplateSpec, ...] = (
    # --- upstream: inventory (1xx)
    TemplateSpec(100, "create_device", UP, "Create the device of the client id if absent",
                 (o("name", default="MQTT Device <serial>"), o("type", default="c8y_MQTTDevice"))),
    TemplateSpec(101, "create_child_device", UP, "Create a child device of the addressed device",
                 (f("childId"), o("name", default="<childId>"), o("type", default="c8y_MQTTChildDevice"),
                  o("isDevice", default="true"))),
    TemplateSpec(102, "create_service", UP, "Create or update a service of the addressed device",
                 (f("serviceId"), f("serviceType"), f("name"), f("status"))),
    TemplateSpec(104, "set_service_status", UP, "Update the status of the service addressed by the topic",
                 (f("status"),)),
    TemplateSpec(105, "get_child_devices", UP, "Request the child devices", reply=106),
    TemplateSpec(107, "clear_device_fragments", UP, "Remove fragments from the device",
                 group=(f("fragment"),), min_groups=1),
    TemplateSpec(110, "set_hardware", UP, "c8y_Hardware", (o("serialNumber"), o("model"), o("revision"))),
    TemplateSpec(111, "set_mobile", UP, "c8y_Mobile",
                 (o("imei"), o("iccid"), o("imsi"), o("mcc"), o("mnc"), o("lac"), o("cellId"))),
    TemplateSpec(112, "set_position", UP, "c8y_Position of the device", _POSITION[:4]),
    TemplateSpec(113, "set_configuration", UP, "c8y_Configuration", (o("config"),)),
    TemplateSpec(114, "set_supported_operations", UP, "Replace c8y_SupportedOperations",
                 group=(f("operation"),)),
    TemplateSpec(115, "set_firmware", UP, "c8y_Firmware", (o("name"), o("version"), o("url"))),
    TemplateSpec(116, "set_software_list", UP, "c8y_SoftwareList (legacy)",
                 group=(o("name"), o("version"), o("url"))),
    TemplateSpec(117, "set_required_availability", UP, "c8y_RequiredAvailability, if not yet set",
                 (o("minutes", INT, bounds=RESPONSE_INTERVAL_BOUNDS),)),
    TemplateSpec(118, "set_supported_logs", UP, "c8y_SupportedLogs", group=(f("logType"),)),
    TemplateSpec(119, "set_supported_configurations", UP, "c8y_SupportedConfigurations",
                 group=(f("configType"),)),
    TemplateSpec(120, "set_current_configuration", UP, "Currently installed configuration",
                 (f("configType"), f("url"), o("fileName", default="<configType>"), _TIME)),
    TemplateSpec(121, "set_device_profile_executed", UP, "Device profile being applied",
                 (f("profileExecuted", B), o("profileId"))),
    TemplateSpec(122, "set_agent", UP, "c8y_Agent", (f("name"), f("version"), o("url"), f("maintainer"))),
    TemplateSpec(123, "get_device_id", UP, "Request the internal id of the device", reply=124),
    TemplateSpec(125, "heartbeat", UP, "Availability heartbeat"),
    TemplateSpec(140, "set_advanced_software_list", UP, "Replace the advanced software list",
                 group=_SOFTWARE_ADVANCED),
    TemplateSpec(141, "append_advanced_software_list", UP, "Append to the advanced software list",
                 group=_SOFTWARE_ADVANCED),
    TemplateSpec(142, "remove_advanced_software", UP, "Remove from the advanced software list",
                 group=(f("name"), f("version"))),
    TemplateSpec(143, "set_supported_software_types", UP, "c8y_SupportedSoftwareTypes",
                 group=(f("softwareType"),)),
    TemplateSpec(150, "set_remote_access_protocols", UP, "c8y_RemoteAccessSupportedProtocols",
                 group=(f("protocol", choices=("SSH", "TELNET", "VNC", "PASSTHROUGH")),)),
    # --- upstream: measurements (2xx)
    TemplateSpec(200, "create_measurement", UP, "Measurement of one series",
                 (f("fragment"), f("series"), f("value", N), o("unit"), _TIME)),
    TemplateSpec(201, "create_measurements", UP, "Measurement of several series",
                 (f("type"), _TIME), group=(f("fragment"), f("series"), f("value", N), o("unit")),
                 min_groups=1),
    TemplateSpec(210, "create_signal_strength", UP, "c8y_SignalStrength",
                 (o("rssi", N), o("ber", N), _TIME), one_of=("rssi", "ber")),
    TemplateSpec(211, "create_temperature", UP, "c8y_TemperatureMeasurement", (f("temperature", N), _TIME)),
    TemplateSpec(212, "create_battery", UP, "c8y_Battery", (f("battery", N), _TIME)),
    # --- upstream: alarms (3xx)
    TemplateSpec(301, "create_critical_alarm", UP, "CRITICAL alarm", _ALARM),
    TemplateSpec(302, "create_major_alarm", UP, "MAJOR alarm", _ALARM),
    TemplateSpec(303, "create_minor_alarm", UP, "MINOR alarm", _ALARM),
    TemplateSpec(304, "create_warning_alarm", UP, "WARNING alarm", _ALARM),
    TemplateSpec(305, "update_alarm_severity", UP, "Change the severity of the alarm of a type",
                 (f("type"), f("severity", ValueKind.SEVERITY))),
    TemplateSpec(306, "clear_alarm", UP, "Clear the alarm of a type", (f("type"),)),
    TemplateSpec(307, "clear_alarm_fragments", UP, "Remove fragments from the alarm of a type",
                 (f("type"),), group=(f("fragment"),), min_groups=1),
    # --- upstream: events (4xx)
    TemplateSpec(400, "create_event", UP, "Event", (f("type"), f("text"), _TIME)),
    TemplateSpec(401, "create_location_event", UP, "Location event", _POSITION),
    TemplateSpec(402, "create_location_event_and_update", UP, "Location event, also c8y_Position", _POSITION),
    TemplateSpec(407, "clear_event_fragments", UP, "Remove fragments from the event of a type",
                 (f("type"),), group=(f("fragment"),)),
    TemplateSpec(408, "create_parameter_update_event", UP, "c8y_ParameterUpdate event",
                 (o("text"), _TIME, o("changeDetect", B, default="false")),
                 group=(f("path"), f("valueType"), f("value")), min_groups=1),
    # --- upstream: operations (5xx)
    TemplateSpec(500, "get_pending_operations", UP, "Re-send the PENDING operations"),
    TemplateSpec(501, "set_operation_executing", UP, "Oldest PENDING op of a fragment -> EXECUTING",
                 (f("fragment"),)),
    TemplateSpec(502, "set_operation_failed", UP, "Oldest EXECUTING op of a fragment -> FAILED",
                 (f("fragment"), o("failureReason"))),
    TemplateSpec(503, "set_operation_successful", UP, "Oldest EXECUTING op of a fragment -> SUCCESSFUL",
                 (f("fragment"),), group=(o("parameter"),)),
    TemplateSpec(504, "set_operation_executing_by_id", UP, "Operation by id -> EXECUTING",
                 (f("operationId"),)),
    TemplateSpec(505, "set_operation_failed_by_id", UP, "Operation by id -> FAILED",
                 (f("operationId"), o("failureReason"))),
    TemplateSpec(506, "set_operation_successful_by_id", UP, "Operation by id -> SUCCESSFUL",
                 (f("operationId"),), group=(o("parameter"),)),
    TemplateSpec(507, "set_executing_operations_failed", UP, "All EXECUTING ops (of a fragment) -> FAILED",
                 (o("fragment"), o("failureReason"))),
    # --- upstream: platform (6xx)
    TemplateSpec(600, "get_platform_version", UP, "Request the platform version", reply=601),
    TemplateSpec(602, "get_supported_templates", UP, "Request the supported template ids", reply=603),
    # --- downstream: replies
    TemplateSpec(106, "child_devices", DOWN, "Reply to 105", group=(f("childId"),)),
    TemplateSpec(124, "device_id", DOWN, "Reply to 123", (f("managedObjectId"),)),
    TemplateSpec(601, "platform_version", DOWN, "Reply to 600", (f("version"),)),
    TemplateSpec(603, "supported_templates", DOWN, "Reply to 602", group=(f("templateId", INT),)),
    TemplateSpec(70, "device_credentials", DOWN, "Bootstrap credentials on s/dcr",
                 (f("tenantId"), f("username"), f("password"))),
    TemplateSpec(71, "device_token", DOWN, "Device JWT on s/dat", (f("token"),)),
    # --- downstream: operations (5xx), first field = target external id
    TemplateSpec(510, "restart", DOWN, "Restart", (TARGET,), fragment="c8y_Restart"),
    TemplateSpec(511, "command", DOWN, "Shell command", (TARGET, f("text")), fragment="c8y_Command"),
    TemplateSpec(513, "configuration", DOWN, "Set configuration text", (TARGET, o("config")),
                 fragment="c8y_Configuration"),
    TemplateSpec(515, "firmware", DOWN, "Install firmware",
                 (TARGET, f("name"), f("version"), o("url")), fragment="c8y_Firmware"),
    TemplateSpec(516, "software_list", DOWN, "Install this software list",
                 (TARGET,), group=(f("name"), o("version"), o("url")), fragment="c8y_SoftwareList"),
    TemplateSpec(517, "measurement_request", DOWN, "Send the requested measurements",
                 (TARGET, f("requestName")), fragment="c8y_MeasurementRequestOperation"),
    TemplateSpec(518, "relay", DOWN, "Switch the relay",
                 (TARGET, f("relayState", choices=("OPEN", "CLOSED"))), fragment="c8y_Relay"),
    TemplateSpec(519, "relay_array", DOWN, "Switch the relays", (TARGET,), group=(f("state"),),
                 min_groups=1, fragment="c8y_RelayArray"),
    TemplateSpec(520, "upload_configuration", DOWN, "Upload the configuration (legacy)", (TARGET,),
                 fragment="c8y_UploadConfigFile"),
    TemplateSpec(521, "download_configuration", DOWN, "Download a configuration (legacy)",
                 (TARGET, f("url")), fragment="c8y_DownloadConfigFile"),
    TemplateSpec(522, "logfile_request", DOWN, "Upload a log file",
                 (TARGET, f("logFile"), o("dateFrom", T), o("dateTo", T), o("searchText"),
                  o("maximumLines", INT)),
                 fragment="c8y_LogfileRequest"),
    TemplateSpec(523, "communication_mode", DOWN, "Change the communication mode",
                 (TARGET, f("mode", choices=("SMS", "IP"))), fragment="c8y_CommunicationMode"),
    TemplateSpec(524, "download_typed_configuration", DOWN, "Download a configuration of a type",
                 (TARGET, f("url"), f("type")), fragment="c8y_DownloadConfigFile"),
    TemplateSpec(525, "firmware_patch", DOWN, "Install a firmware patch",
                 (TARGET, f("name"), f("version"), o("url"), o("dependency")), fragment="c8y_Firmware"),
    TemplateSpec(526, "upload_typed_configuration", DOWN, "Upload the configuration of a type",
                 (TARGET, f("type")), fragment="c8y_UploadConfigFile"),
    TemplateSpec(527, "device_profile", DOWN, "Apply a device profile ($FW,...,$SW,...,$CONF,...)",
                 (TARGET,), group=(o("item"),), fragment="c8y_DeviceProfile"),
    TemplateSpec(528, "software_update", DOWN, "Install/delete software (legacy)",
                 (TARGET,), group=(f("name"), o("version"), o("url"), f("action", choices=_ACTIONS)),
                 min_groups=1, fragment="c8y_SoftwareUpdate"),
    TemplateSpec(529, "advanced_software_update", DOWN, "Install/delete software with types",
                 (TARGET,),
                 group=(f("name"), o("version"), o("softwareType"), o("url"), f("action", choices=_ACTIONS)),
                 min_groups=1, fragment="c8y_SoftwareUpdate"),
    TemplateSpec(530, "remote_access_connect", DOWN, "Open a remote access connection",
                 (TARGET, f("hostname"), f("port", INT), f("connectionKey")),
                 fragment="c8y_RemoteAccessConnect"),
    # --- s/e: errors (§2.5); wording is ours, the format is <code>,<reference>,<text>
    TemplateSpec(40, "template_not_found", ERR, "Template (collection) not found", _ERROR_FIELDS),
    TemplateSpec(41, "template_error", ERR, "Template or per-message error", _ERROR_FIELDS),
    TemplateSpec(42, "malformed_request", ERR, "Malformed request line", _ERROR_FIELDS),
    TemplateSpec(43, "invalid_message_id", ERR, "Invalid message identifier", _ERROR_FIELDS),
    TemplateSpec(45, "invalid_arguments", ERR, "Invalid arguments", _ERROR_FIELDS),
    TemplateSpec(50, "server_error", ERR, "Server error", _ERROR_FIELDS),
)  # fmt: skip

_BY_KEY: dict[tuple[Direction, int], TemplateSpec] = {(t.direction, t.id): t for t in TEMPLATES}
_BY_NAME: dict[str, TemplateSpec] = {t.name: t for t in TEMPLATES}


def find_template(template_id: int | str, direction: Direction) -> TemplateSpec | None:
    """The template of that id in that direction (ids repeat across directions, e.g. 106 vs 105)."""
    try:
        number = int(template_id)
    except ValueError:
        return None
    return _BY_KEY.get((direction, number))


def template_named(name: str) -> TemplateSpec:
    """The template of that name; ``KeyError`` for a name not in the table (a programming error)."""
    return _BY_NAME[name]


def templates_of(direction: Direction) -> tuple[TemplateSpec, ...]:
    return tuple(t for t in TEMPLATES if t.direction is direction)


def downstream_for_fragment(fragment: str) -> tuple[TemplateSpec, ...]:
    """Downstream operation templates that carry ``fragment`` (e.g. 515 and 525 for c8y_Firmware)."""
    return tuple(t for t in TEMPLATES if t.direction is DOWN and t.fragment == fragment)
