"""What the ``tedge cert`` commands read from the settings, for the device or for one cloud profile (pure).

Without a cloud (``tedge cert create``) the ``device.*`` keys apply; with ``c8y [--profile P]`` the
profile's ``c8y.device.*`` keys (which default to the ``device.*`` ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.settings.resolve import Settings

MOSQUITTO_OWNER = ("mosquitto", "mosquitto")  # upstream passes the broker user as user and group
TEDGE_OWNER = ("tedge", "tedge")


@dataclass(frozen=True, slots=True)
class CertPaths:
    cert_path: str
    key_path: str
    csr_path: str

    @property
    def new_cert_path(self) -> str:
        """Where a renewed certificate waits until ``tedge connect`` validates and promotes it."""
        return self.cert_path + ".new"


@dataclass(frozen=True, slots=True)
class CertConfig:
    cloud: str | None
    profile: str | None
    paths: CertPaths
    device_id: str | None  # the configured one (from the certificate or device.id), if any
    organization: str
    organization_unit: str
    requested_validity: timedelta
    minimum_validity: timedelta
    owner: tuple[str, str]  # user and group given the files (best effort, only as root)
    cryptoki_mode: str = "off"  # "module" / "socket": the key lives in an HSM (not supported yet)


def build_cert_config(settings: Settings, *, cloud: str | None, profile: str | None) -> CertConfig:
    prefix = "c8y.device" if cloud == "c8y" else "device"
    scope = profile if cloud == "c8y" else None

    def get(name: str) -> Any:
        return settings.value(name, scope)

    return CertConfig(
        cloud=cloud,
        profile=scope,
        paths=CertPaths(
            cert_path=str(get(f"{prefix}.cert_path")),
            key_path=str(get(f"{prefix}.key_path")),
            csr_path=str(get(f"{prefix}.csr_path")),
        ),
        device_id=configured_device_id(settings, f"{prefix}.id", scope),
        organization=str(settings.value("certificate.organization")),
        organization_unit=str(settings.value("certificate.organization_unit")),
        requested_validity=_duration(settings.value("certificate.validity.requested_duration")),
        minimum_validity=_duration(settings.value("certificate.validity.minimum_duration")),
        owner=TEDGE_OWNER if settings.value("mqtt.bridge.built_in") else MOSQUITTO_OWNER,
        cryptoki_mode=str(settings.value("device.cryptoki.mode")),
    )


def configured_device_id(settings: Settings, name: str, profile: str | None) -> str | None:
    """The device id the settings give (certificate CN, else the explicit value), ``None`` if none."""
    try:
        value = settings.value(name, profile)
    except C8yLinkError:
        return None
    return str(value) if value else None


def _duration(value: Any) -> timedelta:
    return timedelta(seconds=float(value.seconds))
