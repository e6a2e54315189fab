"""`tedge diag collect`: diagnostic plugins run into one archive (``plan`` pure, ``runner`` I/O, the
plugins c8ylink ships in ``plugins/``)."""
