"""Small, typed helpers over sqlite-utils' results, so the stores never pass on an unchecked `Any | None`."""

from __future__ import annotations

from sqlite_utils.db import Table

from core.errors import StoreError


def inserted_id(table: Table) -> int:
    """The integer primary key of the row `table` just inserted."""
    pk = table.last_pk
    if not isinstance(pk, int):
        raise StoreError(f"The database did not return the id of the new row in '{table.name}'.")
    return pk
