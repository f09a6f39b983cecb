"""A short help page per role: what the service expects of the person signed in, in plain
words (the procedures behind each line are cited here, not on the page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpcases.accounts.roles import Role

EXPECTATIONS: dict[str, list[str]] = {
    Role.SOCIAL_WORKER: [
        # 000, 002 §2: strategy discussion timescales by urgency
        "Record each strategy discussion once it has been held, with who took part, what "
        "was shared and the decision for each child of the household.",
        "Record the outcome of each Section 47 enquiry; if harm is substantiated, ask your "
        "manager to approve an initial conference.",
        # 002 §13.2, 003: invitation list, advocacy from 10
        "Complete the invitation list within two days of the conference date being offered, "
        "and offer advocacy to every child of 10 or over.",
        "Share your report with the family and send it to the chair before the conference.",
        # 003 visits: 10 working days; bedroom 6 weeks
        "See the child on a plan, alone where possible, at least every 10 working days, and "
        "their bedroom every 6 weeks. Record each visit.",
        "Keep the plan and the chronology up to date; My work lists what is due.",
    ],
    Role.TEAM_MANAGER: [
        "Approve or return requests for initial conferences; decide whether the threshold "
        "for a conference is met.",
        "Countersign the social worker's conference report before it is shared.",
        "Watch your team's deadlines: reminders and overdue notices come to you.",
        "Authorise a delay only with the reasons recorded.",
    ],
    Role.SERVICE_MANAGER: [
        "Agree or refuse requests for a second conference about the same concerns.",
        "Deal with overdue work escalated to you from team managers.",
    ],
    Role.HEAD_OF_SERVICE: [
        "Decide on requests to hold an initial conference late, with the reasons recorded.",
        "Review step-down decisions made without a Child in Need plan.",
        "Deal with overdue work escalated to you.",
    ],
    Role.CP_CHAIR: [
        "Chair each conference: check the quorum, start or adjourn it, and record the "
        "decision for each child with the agencies' views and any dissent.",
        "Decide in writing on each request to exclude a family member.",
        "Give advice in consultations, and record the outcome of threshold discussions.",
    ],
    Role.BUSINESS_SUPPORT: [
        "Book conferences within the timescale, with an independent chair.",
        "Send the invitations, choosing how each person is invited; a child of 10 or over "
        "needs advocacy offered by their social worker first.",
        "On the day, record who attended; copy the invitation list to start.",
        "Produce and send the decision letter, summary and record on time.",
    ],
    Role.PARTNER: [
        "You see only the children whose conference, core group or discussion you are part "
        "of.",
        "Reply to conference invitations and send your report to the chair in time.",
        "Add what your agency knows to the child's chronology.",
    ],
    Role.ADMINISTRATOR: [
        "Keep the users, teams and the authority's timescale settings up to date.",
        "You do not see children's records.",
    ],
    Role.PERFORMANCE_OFFICER: [
        "Produce the Children in Need census and the Ofsted lists from the returns pages.",
        "Check the return readiness page and ask the case holders to correct what it lists.",
        "Every export is recorded with the children it names.",
    ],
}


@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    role = request.user.role
    return render(request, "help.html", {
        "role_label": request.user.role_label, "expectations": EXPECTATIONS.get(role, []),
    })
