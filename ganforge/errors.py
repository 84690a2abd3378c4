"""The exception types whose message is meant for the user (the CLI prints them without a traceback)."""


class GanforgeError(Exception):
    """A problem the user can act on: bad input, a missing file, an invalid setting."""


class ConfigError(GanforgeError):
    """A setting that is not allowed: an unknown key, a value out of range, or options that do not go together."""
