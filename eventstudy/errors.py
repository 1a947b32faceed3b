"""Exceptions and warnings raised by eventstudy.

Every error a user can cause derives from :class:`EventStudyError`; the CLI
turns those into a one-line message and exit code 2.
"""

from __future__ import annotations


class EventStudyError(Exception):
    """Base class for errors caused by input (study files, data, options)."""


class StudyFileError(EventStudyError, ValueError):
    """A study file is missing, malformed or inconsistent.

    The message names the file, the key and the offending value.
    """

    def __init__(self, path: object, key: str, message: str) -> None:
        self.path = str(path)
        self.key = key
        super().__init__(f"{self.path}: {key}: {message}")


class DataError(EventStudyError):
    """Prices are missing, empty or unusable for a symbol."""


class UnknownSymbolError(DataError, KeyError):
    """A price source has nothing for a symbol."""

    def __str__(self) -> str:  # KeyError would add quotes around the message
        return str(self.args[0])


class MissingPricesError(DataError):
    """Prices are missing on sessions a window needs."""


class InsufficientHistoryError(DataError):
    """The history does not cover the estimation or event window."""


class CalendarError(EventStudyError, ValueError):
    """An exchange is unknown or a timestamp falls outside its calendar."""


class ModelError(EventStudyError, ValueError):
    """An expected-return model is unknown or cannot be fitted."""


class DataWarning(UserWarning):
    """Observations were dropped, filled or misaligned."""
