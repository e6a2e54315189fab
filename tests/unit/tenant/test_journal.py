"""The journal of changes to persist: a commit the disk refused puts its changes back, under what
was recorded since."""

from __future__ import annotations

from c8ylink.tenant.state.journal import Change, Journal


def test_changes_put_back_come_first_and_newer_values_win() -> None:
    journal = Journal()
    journal.put("managedObject", "1", {"name": "a"})
    journal.put("managedObject", "2", {"name": "b"})
    refused = journal.take()
    journal.put("managedObject", "2", {"name": "b2"})  # written while the commit failed
    journal.delete("managedObject", "3")
    journal.requeue(refused)
    assert journal.take() == [
        Change("managedObject", "1", {"name": "a"}),
        Change("managedObject", "2", {"name": "b2"}),
        Change("managedObject", "3", None),
    ]
    assert len(journal) == 0
