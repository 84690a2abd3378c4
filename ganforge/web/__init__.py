"""The web demo (``ganforge serve``, the ``web`` extra)."""
