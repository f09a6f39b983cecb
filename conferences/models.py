"""Child protection conferences: built by the conferences issue."""
