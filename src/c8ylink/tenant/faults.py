"""Fault injection for tests: "the next N requests (matching a path prefix and method) fail with S".

Pure bookkeeping; the REST middleware asks ``take`` before handling each Cumulocity request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from c8ylink.tenant.state.errors import validation_error


@dataclass(frozen=True, slots=True)
class FaultRule:
    status: int
    remaining: int
    path_prefix: str = "/"
    method: str | None = None
    message: str = "Injected fault"

    def applies_to(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and (self.method is None or self.method == method.upper())

    def to_document(self) -> dict[str, object]:
        return {
            "status": self.status,
            "remaining": self.remaining,
            "pathPrefix": self.path_prefix,
            "method": self.method,
            "message": self.message,
        }


def parse_fault_rule(body: object) -> FaultRule:
    if not isinstance(body, dict):
        raise validation_error("The fault must be a JSON object")
    status, count = body.get("status", 503), body.get("count", 1)
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise validation_error("status must be an HTTP error status (400-599)")
    if not isinstance(count, int) or count < 1:
        raise validation_error("count must be a positive integer")
    prefix = body.get("pathPrefix", "/")
    method = body.get("method")
    message = body.get("message", "Injected fault")
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise validation_error("pathPrefix must start with /")
    if method is not None and not isinstance(method, str):
        raise validation_error("method must be a string")
    if not isinstance(message, str):
        raise validation_error("message must be a string")
    return FaultRule(status, count, prefix, method.upper() if method else None, message)


class FaultPlan:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        self._rules.append(rule)

    def clear(self) -> None:
        self._rules.clear()

    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule for this request, counted down (and dropped when used up)."""
        for index, rule in enumerate(self._rules):
            if rule.applies_to(method, path):
                if rule.remaining <= 1:
                    del self._rules[index]
                else:
                    self._rules[index] = replace(rule, remaining=rule.remaining - 1)
                return rule
        return None
