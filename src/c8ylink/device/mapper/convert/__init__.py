"""One module per kind of message: measurements, events, alarms, twin, health, registration, operations."""
