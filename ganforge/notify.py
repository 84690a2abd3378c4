"""Notes for the user (a new run or a resumed one, skipped files, rollbacks): one line on stderr each. Library
calls take a ``notify`` callable defaulting to this, so a program can collect or silence them."""
import sys


def to_stderr(message: str) -> None:
    print(f"ganforge: {message}", file=sys.stderr)
