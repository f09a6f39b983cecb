"""Before the conference (issue 5, part 5a): conference types (pre-birth, transfer-in),
the report deadlines set on booking, invitations, reports and exclusion requests.

services.py writes, selectors.py reads, files.py checks uploaded documents, ical.py builds
the calendar invitation.
"""
