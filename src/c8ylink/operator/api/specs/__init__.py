"""One module per command group, holding only ``GroupSpec`` literals (see ``operator.api.spec``)."""
