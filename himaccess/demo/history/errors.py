"""What stops the history from being written."""


class HistoryError(Exception):
    """The history cannot be written (no register, no catalogue, bad arguments)."""
