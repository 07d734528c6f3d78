"""The project's exceptions, in one place: problems found in user input (reported in French as
`fichier:ligne:colonne: message`), requests refused, and a database that is busy or missing."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem of an input file. `line` is 1-based in the file as the user sees it;
    `column` is the column header for tabular files, or a 1-based character position."""

    file: str
    line: int | None
    column: str | int | None
    message: str

    def __str__(self) -> str:
        line = "" if self.line is None else str(self.line)
        column = "" if self.column is None else str(self.column)
        return f"{self.file}:{line}:{column}: {self.message}"


class InvalidInput(Exception):
    """Raised when an input is refused; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("InvalidInput needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, line: int | None, column: str | int | None, message: str) -> "InvalidInput":
        return cls([Problem(file, line, column, message)])


class ProblemCollector:
    """Accumulates problems so that a whole file is checked before anything is refused."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int | None, column: str | int | None, message: str) -> None:
        self.problems.append(Problem(file, line, column, message))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)


class Refused(Exception):
    """A request refused for a reason that is not a file problem (printed as is, in French).
    `auth.PermissionRefused` is one."""


class DatabaseBusy(RuntimeError):
    """The database stayed locked by another process longer than we wait."""

    def __init__(self, path=None):
        self.path = path
        super().__init__(
            "La base de données est occupée par une autre opération (un import est sans doute en cours). "
            "Réessayez dans quelques secondes."
        )


class DatabaseMissing(RuntimeError):
    def __init__(self, path=None):
        self.path = path
        super().__init__("La base de données n'existe pas encore. Créez-la avec la commande : pcaet init")


class NoChange(Exception):
    """Raised inside `store.writing()` when the checks made in the transaction show there is
    nothing to write (an identical file again): the transaction is rolled back, silently."""


def shown(value: object, limit: int = 60) -> str:
    """A user's value quoted in a message: control characters removed, long text cut."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
