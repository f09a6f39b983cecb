"""The body of the "My work" page (templates/deadlines/my_work.html) written in Python.

Issue 13 §2: the template engine spent about as long on the page's loops (the counts, the
four groups, the breaches, the queues: some hundred lookups and conditions) as on the rest
of the page. The markup is the template's as it was, character for character (pinned in
tests/deadlines/test_my_work.py); every value is escaped as the template escaped it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

from deadlines.templatetags.deadline_tables import deadline_table, escape

if TYPE_CHECKING:
    from deadlines.mywork import Group, MyWork, QueueItem, QueueView

_NOTHING = ('\n<p class="govuk-body" data-testid="nothing">You have nothing to do at the '
            "moment.</p>\n")


def _count(g: Group) -> str:
    key = escape(g.key)
    return (f'\n  <li class="app-work-summary__item"><a class="govuk-link" href="#{key}">'
            f'<span class="app-work-summary__count" data-testid="count-{key}">'
            f"{escape(g.count)}</span> {escape(g.title.lower())}</a></li>\n  ")


def _show_all(url: str, count: int, title: str) -> str:
    return (f'<p class="govuk-body"><a class="govuk-link" href="{escape(url)}">Show all '
            f'{escape(count)}<span class="govuk-visually-hidden"> {escape(title)}</span></a>'
            f"</p>")


def _section(heading_id: str, testid: str, tag: str, size: str, title: str, count: str,
             shown: str) -> str:
    """A group's or a queue's section: its heading (title and count) and what it shows."""
    return (f'\n<section class="app-work-group" aria-labelledby="{heading_id}" '
            f'data-testid="{testid}">\n'
            f'  <{tag} class="{size}" id="{heading_id}">{title}({count})'
            f"</{tag}>\n  {shown}\n</section>\n")


def _group(g: Group) -> str:
    key = escape(g.key)
    if g.items:
        more = _show_all(g.show_all_url, g.count, g.title.lower()) if g.more else ""
        shown = f"\n  {deadline_table(g.items, g.key)}\n  {more}\n  "
    else:
        shown = f'\n  <p class="govuk-body">{escape(g.empty)}</p>\n  '
    return _section(key, f"group-{key}", "h3", "govuk-heading-s", f"{escape(g.title)} ",
                    escape(g.count), shown)


def _breaches(work: MyWork) -> str:
    if not work.breaches_url:
        return ""
    if work.breaches:
        shown = (f'\n{deadline_table(work.breaches, "breaches", True)}\n'
                 f"{_show_all(work.breaches_url, work.breach_count, 'team breaches')}\n")
    else:
        shown = '\n<p class="govuk-body">No deadline in your team is overdue.</p>\n'
    return (f'\n<h2 class="govuk-heading-m" id="team-breaches">Team breaches '
            f"({escape(work.breach_count)})</h2>\n{shown}\n")


def _item(item: QueueItem) -> str:
    when = f'<br><span class="govuk-body-s">{escape(item.when)}</span>' if item.when else ""
    return (f'\n    <li class="app-queue__item"><a class="govuk-link" href="{escape(item.url)}">'
            f"{escape(item.action)}</a> for {escape(item.who)}{when}</li>\n    ")


def _queue(q: QueueView) -> str:
    key = escape(q.key)
    if q.items:
        more = _show_all(q.show_all_url, q.count, q.title.lower()) if q.show_all_url else ""
        shown = (f'\n  <ul class="govuk-list app-queue">\n    '
                 f"{''.join(_item(item) for item in q.items)}\n  </ul>\n  {more}\n  ")
    else:
        shown = f'\n  <p class="govuk-body">{escape(q.empty)}</p>\n  '
    return _section(f"queue-{key}", f"queue-{key}", "h2", "govuk-heading-m",
                    f"{escape(q.title)} ", escape(q.count), shown)


def body(work: MyWork) -> SafeString:
    """The page from its counts to its queues."""
    return mark_safe(  # noqa: S308 (every value escaped)
        f"{_NOTHING if work.nothing else ''}\n"
        f'<ul class="app-work-summary govuk-list" data-testid="work-counts">\n  '
        f"{''.join(_count(g) for g in work.groups)}\n</ul>\n\n"
        f'<h2 class="govuk-heading-m">My deadlines</h2>\n'
        f'<p class="govuk-body"><a class="govuk-link" href="{escape(work.mine_url)}">All my '
        f"deadlines</a></p>\n"
        f"{''.join(_group(g) for g in work.groups)}\n\n"
        f"{_breaches(work)}\n\n"
        f"{''.join(_queue(q) for q in work.queues)}")
