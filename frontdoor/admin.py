"""Only which teams run the front door is managed here (an administrator's setting).

Contacts, referrals, assessments and merges are case records: like the strategy app's, they
are read only through the scoped, logged pages and API and written through
frontdoor.services (decision 4).
"""

from django.contrib import admin

from frontdoor.models import FrontDoorTeam

admin.site.register(FrontDoorTeam)
