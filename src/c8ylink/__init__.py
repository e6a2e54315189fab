"""c8ylink: connect devices and operators to Cumulocity IoT from Python."""

__version__ = "0.1.0"
