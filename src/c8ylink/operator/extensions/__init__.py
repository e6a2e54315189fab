"""go-c8y-cli's extensions: git repositories (or local folders) installed under
``<extensions.datadir or session home>/extensions/c8y-<name>`` that bring aliases (``extension.yaml``),
script commands (``commands/``), templates (``templates/``) and views (``views/``). Imports infra, core
and the rest of ``operator``; never click."""
