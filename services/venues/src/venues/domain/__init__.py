"""The venues domain: areas, the catalogue and the schedule, free of Flask and SQLAlchemy."""


class Rejected(ValueError):
    """A change the domain refuses, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
