"""The one exception type whose message is meant for the user (the CLI prints it without a traceback)."""


class GanforgeError(Exception):
    """A problem the user can act on: bad input, a missing file, an invalid setting."""
