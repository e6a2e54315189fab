"""``TenantService``: the tenant state, its persistence and its subscribers, shared by every front end.

Front ends (the REST app, the MQTT listener) change ``service.state`` and then call
``service.commit()``, which writes the journal to SQLite and hands the signals (operation created,
trusted certificate deleted, ...) to every subscriber. On the event loop they go through
``service.commits`` (``tenant.group_commit``): the writes of one loop turn share one transaction::

    unsubscribe = service.subscribe(lambda signal: ...)   # called synchronously, in commit order
    stop = service.watch_records(lambda entries: ...)     # every realtime-kind write (the realtime hub)

Subscribers must not block; an asyncio front end schedules its work (``loop.call_soon``).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from c8ylink.core.clock import Clock
from c8ylink.core.errors import ConfigError, FileAccessError
from c8ylink.infra.files import write_atomic
from c8ylink.tenant.faults import FaultPlan
from c8ylink.tenant.group_commit import GroupCommit
from c8ylink.tenant.state.errors import storage_error
from c8ylink.tenant.state.ids import SecretSource
from c8ylink.tenant.state.journal import FeedEntry
from c8ylink.tenant.state.lockout import LoginGuard
from c8ylink.tenant.state.signals import TenantEvent
from c8ylink.tenant.state.tenant import BOOTSTRAP_USER, MANAGEMENT_TENANT, TenantIdentity, TenantState
from c8ylink.tenant.state.users import ADMIN, BOOTSTRAP
from c8ylink.tenant.store import TenantStore

log = logging.getLogger(__name__)

Subscriber = Callable[[TenantEvent], None]
RecordWatcher = Callable[[list[FeedEntry]], None]
DATABASE_NAME = "tenant.db"
CREDENTIALS_FILE = "credentials.json"
PASSWORD_KEYS = ("admin_password", "bootstrap_password")
DEFAULT_TENANT_ID = "t100"


@dataclass(frozen=True, slots=True)
class TenantSetup:
    """How a new tenant is created (first start); an existing data dir keeps its tenant id."""

    tenant_id: str = DEFAULT_TENANT_ID
    domain: str = "localhost"
    admin_username: str = "admin"
    admin_password: str | None = field(default=None, repr=False)
    device_ca: bool = True


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str = field(repr=False)


class TenantService:
    def __init__(
        self, state: TenantState, store: TenantStore | None, *, admin: Credentials, bootstrap: Credentials
    ) -> None:
        self.state = state
        self.store = store
        self.admin = admin
        self.bootstrap = bootstrap
        self.faults = FaultPlan()
        # wrong passwords and codes, counted across REST and MQTT (one login, one count)
        self.login_guard = LoginGuard()
        self.data_dir: Path | None = None
        self._subscribers: list[Subscriber] = []
        self._storage_failing = False  # the last commit could not be written
        self._watchers: list[RecordWatcher] = []
        self.extensions: dict[str, object] = {}  # front-end state shared by every app (the realtime hub)
        self.commits = GroupCommit(self)
        self._stored_last_id: str | None = None  # the last id as the database holds it

    def watch_records(self, watcher: RecordWatcher) -> Callable[[], None]:
        """``watcher`` gets, after each commit, the writes of the realtime kinds (journal feed)."""
        self._watchers.append(watcher)
        self.state.journal.feeding = True

        def stop() -> None:
            if watcher in self._watchers:
                self._watchers.remove(watcher)
            self.state.journal.feeding = bool(self._watchers)

        return stop

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber) if subscriber in self._subscribers else None

    def commit(self, *, required: bool = True) -> None:
        """Persist what changed since the last commit, then tell the subscribers.

        When the database cannot be written (the disk full, the data dir read-only) nothing of the
        commit is written (one transaction), its changes and signals stay pending for the next commit
        and, when ``required`` (the caller changed something), a ``TenantApiError`` 507 says why; the
        tenant keeps serving what it holds (a read commits with ``required=False``)."""
        changes = self.state.journal.take()
        if self.store is not None and changes:
            last_id = str(self.state.ids.last)
            try:
                self.store.apply(changes, {"last_id": last_id} if last_id != self._stored_last_id else None)
            except FileAccessError as exc:
                self.state.journal.requeue(changes)
                if not self._storage_failing:
                    log.error("%s; the changes wait for the next commit", exc)
                self._storage_failing = True
                if not required:
                    return
                raise storage_error(
                    f"The change could not be stored: {exc}. The tenant keeps it in memory and stores "
                    "it with the next change once the disk takes it"
                ) from None
            if self._storage_failing:
                log.warning("The tenant database is written again")
            self._storage_failing = False
            self._stored_last_id = last_id
        for signal in self.state.take_signals():
            for subscriber in list(self._subscribers):
                try:
                    subscriber(signal)
                except Exception:  # a broken front end must not break the others
                    log.exception("tenant subscriber failed on %s", type(signal).__name__)
        feed = self.state.journal.take_feed()
        for watcher in list(self._watchers) if feed else ():
            try:
                watcher(feed)
            except Exception:
                log.exception("tenant record watcher failed")

    def close(self) -> None:
        """Store what is still pending (the disk's refusal is logged), then close the database."""
        if self.store is not None:
            self.commits.flush()
            self.store.close()
            self.store = None

    @classmethod
    def open(
        cls, data_dir: Path | None, setup: TenantSetup, *, clock: Clock, secrets: SecretSource
    ) -> TenantService:
        """Load the tenant from ``data_dir`` (SQLite), or create it there (or in memory if ``None``)."""
        store = TenantStore(data_dir / DATABASE_NAME) if data_dir is not None else None
        meta = store.meta() if store is not None else {}
        new = "tenant_id" not in meta
        stale = [name for name in PASSWORD_KEYS if name in meta]  # a data dir of an older version
        if new:
            meta = {
                "tenant_id": setup.tenant_id,
                "jwt_key": base64.b64encode(secrets.token_bytes(32)).decode(),
                "admin_username": setup.admin_username,
            }
            passwords = {
                "admin_password": setup.admin_password or secrets.password(16),
                "bootstrap_password": secrets.password(20),
            }
        elif setup.tenant_id != meta["tenant_id"] and setup.tenant_id != DEFAULT_TENANT_ID:
            raise ConfigError(f"{data_dir} holds tenant {meta['tenant_id']}, not {setup.tenant_id}")
        else:
            passwords = _load_passwords(data_dir, meta)
        meta = {name: value for name, value in meta.items() if name not in PASSWORD_KEYS}
        if data_dir is not None and (new or stale):
            save_credentials(data_dir, passwords)
        meta["domain"] = setup.domain
        identity = TenantIdentity(meta["tenant_id"], setup.domain, base64.b64decode(meta["jwt_key"]))
        state = TenantState(identity, clock=clock, secrets=secrets)
        if store is not None:
            state.restore(store.load())
        service = cls(
            state,
            store,
            admin=Credentials(f"{identity.tenant_id}/{meta['admin_username']}", passwords["admin_password"]),
            bootstrap=Credentials(f"{MANAGEMENT_TENANT}/{BOOTSTRAP_USER}", passwords["bootstrap_password"]),
        )
        service.data_dir = data_dir
        if new:
            _populate(state, meta["admin_username"], passwords, device_ca=setup.device_ca)
        if store is not None:
            store.apply(state.journal.take(), meta)
            if stale:
                store.forget_meta(stale)
        state.take_signals()
        return service


def save_credentials(data_dir: Path, passwords: dict[str, str]) -> None:
    """The first passwords of the admin and bootstrap users, for ``tenant.json`` at each start: the one
    place they are kept in clear (0600, in the 0700 data dir); the database has scrypt hashes only."""
    text = json.dumps({name: passwords[name] for name in PASSWORD_KEYS}, indent=2) + "\n"
    write_atomic(data_dir / CREDENTIALS_FILE, text, mode=0o600)


def _load_passwords(data_dir: Path | None, meta: dict[str, str]) -> dict[str, str]:
    found: dict[str, object] = {}
    if data_dir is not None:
        try:
            found = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            found = {}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"Cannot read {data_dir / CREDENTIALS_FILE}: {exc}") from None
    passwords = {
        name: found.get(name, meta.get(name)) if isinstance(found, dict) else None for name in PASSWORD_KEYS
    }
    missing = [name for name, value in passwords.items() if not isinstance(value, str)]
    if missing:
        log.warning("%s has no %s: tenant.json shows them empty", CREDENTIALS_FILE, ", ".join(missing))
    return {name: value if isinstance(value, str) else "" for name, value in passwords.items()}


def _populate(state: TenantState, admin_username: str, passwords: dict[str, str], *, device_ca: bool) -> None:
    now = state.now()
    state.users.add(
        state.tenant_id, admin_username, roles=[ADMIN], password=passwords["admin_password"], now=now
    )
    state.users.add(
        MANAGEMENT_TENANT,
        BOOTSTRAP_USER,
        roles=[BOOTSTRAP],
        password=passwords["bootstrap_password"],
        now=now,
    )
    if device_ca:
        state.trust.create_authority(state.tenant_id, now=now)
