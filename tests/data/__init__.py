"""The data the tests read, kept in the repository so that a clone is self-sufficient.
``LICENSES.md`` names each file, where it comes from and its licence."""

from pathlib import Path

TEST_DATA = Path(__file__).resolve().parent
