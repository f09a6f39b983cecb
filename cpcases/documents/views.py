"""A child's documents as sent (issue 12 §8): letters, records and invitations kept in the
document store, and the reports uploaded to their conferences; paged, within the user's
scope, every download logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children.selectors import child_for_view
from cpcases.children.views import record_context
from cpcases.core.paging import CountedPaginator
from cpcases.documents.selectors import issued_downloadable, page_counts

PAGE_SIZE = 25
CONTENT_TYPES = {".pdf": "application/pdf", ".eml": "message/rfc822"}


@login_required
def child_documents(request: HttpRequest, pk: int) -> HttpResponse:
    from conferences.preparation.selectors import reports_for

    child = child_for_view(request=request, child_id=pk, section="documents")
    documents = issued_downloadable(user=request.user, child_id=child.pk)
    reports = (reports_for(request.user).filter(conference__children=child)
               .order_by("-submitted_at", "-id"))
    # Both lists' sizes in one query (issue 13 §2): a list found empty is not asked for
    # its page, whose query the ORM would otherwise build to learn it is empty.
    counts = page_counts(user=request.user, child_id=child.pk)
    issued = CountedPaginator(documents, PAGE_SIZE, counts.issued).get_page(
        request.GET.get("page"))
    reports = CountedPaginator(reports, PAGE_SIZE, counts.reports).get_page(
        request.GET.get("reports"))
    return render(request, "documents/child.html", {
        **record_context(request, child, "documents"), "page": issued, "reports": reports})


@login_required
def document_download(request: HttpRequest, pk: int, document: int) -> FileResponse:
    child = child_for_view(request=request, child_id=pk, section="document-download")
    # A partner agency gets only what was sent to them or their agency (decisions §27).
    kept = issued_downloadable(user=request.user, child_id=child.pk).filter(
        pk=document).first()
    if kept is None:
        access_record(request=request, child_id=child.pk, action=AccessAction.REFUSED,
                      section="document-download", detail={"document": document})
        raise Http404("No such document")
    access_record(request=request, child_id=child.pk, action=AccessAction.EXPORT,
                  section="document-download",
                  detail={"document": kept.pk, "kind": kept.kind, "sha256": kept.sha256})
    try:
        handle = kept.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing") from exc
    name = kept.file.name.rsplit("/", 1)[-1]
    suffix = name[name.rfind("."):] if "." in name else ""
    return FileResponse(handle, as_attachment=True, filename=name,
                        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"))
