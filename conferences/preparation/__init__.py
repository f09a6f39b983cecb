"""Before the conference (issue 5, part 5a): conference types (pre-birth, transfer-in),
the report deadlines set on booking, invitations, reports and exclusion requests.

A sub-package of the conferences app with the app's inner shape (decisions §32): services.py
writes, selectors.py reads, views.py/forms.py/urls.py are its pages, api.py/api_urls.py its
API; files.py checks uploaded documents, ical.py builds the calendar invitation. Its models
stay in conferences.models (app label `conferences`, migrations untouched).
"""
