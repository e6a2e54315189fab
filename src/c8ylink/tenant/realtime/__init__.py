"""The tenant's realtime notifications (CometD/Bayeux at ``/notification/realtime``): the hub of clients,
subscriptions and bounded queues fed by every commit (``hub``), and the Bayeux message handling shared
by long-polling and websocket (``bayeux``). Imports ``core`` and ``tenant.state``."""
