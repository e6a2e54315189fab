"""REST commands declared as data (``spec``, ``specs/``) and the pure and I/O layers that run them.

Imports: ``core``, ``infra`` and the rest of ``operator`` (never ``operator.cli``).
"""
