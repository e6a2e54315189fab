"""go-c8y-cli's parameter types in our spec vocabulary (``operator.api.spec.TYPES``). Pure data, shared by
``scripts/gen_specs.py`` (the built-in commands) and ``operator.extensions.api_specs`` (the ``api/``
commands of extensions): one table, so a type means the same in both.

our_type("json_custom") -> "json"        our_type("[]device") -> "device[]"
our_type("nosuchtype") -> None           our_type("configurationDetails") -> ""  (dropped)
"""

from __future__ import annotations

# upstream type -> our type ("" keeps the name: our engine knows it)
TYPE_MAP: dict[str, str] = {
    "string": "", "integer": "", "float": "", "boolean": "", "datetime": "", "date": "", "json": "",
    "optional_fragment": "", "tenant": "", "certificatefile": "", "string[]": "", "stringcsv[]": "",
    "device[]": "", "agent[]": "", "devicegroup[]": "", "id[]": "",
    # references resolved by name (operator.api.lookup)
    "user[]": "", "userself[]": "", "usergroup[]": "", "role[]": "", "roleself[]": "", "software[]": "",
    "firmware[]": "", "deviceprofile[]": "", "configuration[]": "", "smartgroup[]": "",
    "deviceservice[]": "", "softwareversion[]": "", "firmwareversion[]": "", "firmwarepatch[]": "",
    "certificate[]": "", "application": "", "microservice": "",
    "hostedapplication": "application", "application_with_versions": "application",
    "uiplugin": "application",
    # nearest types
    "queryExpression": "string", "tenantname": "string", "stringStatic": "string", "stringAny": "string",
    "applicationname": "string", "microservicename": "string", "subscriptionName": "string",
    "softwareName": "string", "softwareversionName": "string", "firmwareName": "string",
    "firmwareversionName": "string", "uipluginversion": "string",
    "json_custom": "json", "booleanDefault": "boolean", "inventoryChildType": "childtype",
    "source": "reference", "devicerequest[]": "reference", "subscriptionId": "reference",
    "remoteaccessconfiguration": "reference",
    # uploads from files (operator.api.uploads): a multipart part, the whole body, or a binary's URL
    "file": "file", "formDataFile": "file", "attachment": "file", "fileContents": "filecontents",
    "binaryUploadURL": "fileurl",
}  # fmt: skip
# the types only extensions use (``[]x`` is read as ``x[]``, as upstream's parser spells lists)
EXTENSION_TYPES: dict[str, str] = {
    "datetime_utc": "datetime", "datefrom": "datetime", "dateto": "datetime", "directory": "string",
    "devicerequest": "reference", "microserviceinstance": "string", "firmwarepatchName": "string",
    "booleanValue": "boolean", "fileContentsAsString": "filetext", "firmwareVersionName": "string",
}  # fmt: skip
# upstream's hidden helpers that copy a looked-up object into the body (our handlers do it instead)
DROPPED_TYPES = ("configurationDetails", "firmwareDetails", "softwareDetails")


def our_type(kind: str) -> str | None:
    """Our type for an upstream type; "" for one that is dropped; None for one we do not know."""
    if kind.startswith("[]"):
        kind = kind[2:] + "[]"
    if kind in DROPPED_TYPES:
        return ""
    if kind in TYPE_MAP:
        return TYPE_MAP[kind] or kind
    return EXTENSION_TYPES.get(kind)
