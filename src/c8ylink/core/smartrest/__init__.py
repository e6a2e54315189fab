"""SmartREST 2.0, shared by the local tenant and the device-side mapper (stdlib only, no I/O).

- ``codec``: CSV records <-> text/bytes (cumulocity-api.md §2.1), both escape styles.
- ``templates``: the static template table as data (§2.2, §2.3, §2.5), one ``TemplateSpec`` per id.
- ``validation``: arity/type checks derived from the table, errors renderable as ``s/e`` lines.
- ``messages``: typed builders for upstream lines and server replies, generic parse/build by name.
- ``operations``: downstream operation lines (5xx) <-> Cumulocity operation JSON fragments.
"""
