"""The API before the conference (issue 5, part 5a): registered by conferences.api_urls on
its router, in its namespace ("conferences-api:invitation-detail" …)."""

from conferences.preparation.api import (
    ConferenceReportViewSet,
    ExclusionRequestViewSet,
    InvitationViewSet,
)

ROUTES = [
    ("invitations", InvitationViewSet, "invitation"),
    ("conference-reports", ConferenceReportViewSet, "conference-report"),
    ("exclusion-requests", ExclusionRequestViewSet, "exclusion-request"),
]
