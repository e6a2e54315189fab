"""`tedge connect | disconnect c8y`: the resolved configuration, the mosquitto bridge files, the steps
and their checks."""
