"""How `c8y` prints errors (``operator.error_output``): the renderer ``run_cli`` uses."""

from __future__ import annotations

from c8ylink.operator.error_output import error_type, render_c8y_error

__all__ = ["error_type", "render_c8y_error"]
