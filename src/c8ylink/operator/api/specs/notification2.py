"""``c8y notification2 subscriptions subscribe`` (go-c8y-cli writes it by hand): consume a Notifications 2.0
subscription over a WebSocket, one JSON line per notification, each acknowledged
(``operator.notification2``). Its request is the consumer's connection (what ``--dry`` shows); the
token request before it, when no ``--token`` is given, is the handler's. The other commands of the
group are the declared REST ones."""

from __future__ import annotations

from c8ylink.operator.api.spec import CONTEXT, CommandSpec, GroupSpec, ParamSpec

SUBSCRIBE = CommandSpec(
    "subscriptions subscribe",
    "Subscribe to a subscription",
    "GET",
    "/notification2/consumer/",
    long="Subscribe to an existing subscription. If no token is provided, a token will be created "
    "automatically before starting the realtime client",
    params=(
        ParamSpec("name", "string", CONTEXT, "The subscription name. Each subscription is identified by a "
                  "unique name within a specific context", required=True),
        ParamSpec("token", "string", CONTEXT, "Token for the subscription. If not provided, then a token "
                  "will be created"),
        ParamSpec("subscriber", "string", CONTEXT, "The subscriber name which the client wishes to be "
                  "identified with", default="goc8ycli"),
        ParamSpec("consumer", "string", CONTEXT, "Consumer name. Required for shared subscriptions"),
        ParamSpec("actionTypes", "string[]", CONTEXT, "Only listen for specific action types, CREATE, UPDATE "
                  "or DELETE (client side filtering)", choices=("CREATE", "UPDATE", "DELETE")),
        ParamSpec("duration", "string", CONTEXT, "Subscription duration (30s, 10m; default: until Ctrl-C)"),
        ParamSpec("count", "integer", CONTEXT, "Stop after this many notifications (0: no limit)"),
        ParamSpec("expiresInMinutes", "integer", CONTEXT, "Token expiration duration", default="1440"),
    ),
    handler="c8ylink.operator.notification2:run_subscribe",
    upstream_examples=(
        "c8y notification2 subscriptions subscribe --name registration",
        "c8y notification2 subscriptions subscribe --name registration --actionTypes CREATE "
        "--actionTypes UPDATE",
        "c8y notification2 subscriptions subscribe --name registration --duration 10m",
        "c8y notification2 subscriptions subscribe --name registration --consumer client01",
        'c8y notification2 subscriptions subscribe --name registration --token "ey123123123123"',
    ),
)  # fmt: skip

GROUP = GroupSpec("notification2", "Notifications 2.0 subscriptions and tokens", (SUBSCRIBE,))
