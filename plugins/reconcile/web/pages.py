"""The routes: sign in and out, the cases of a quarter (and as a workbook), one case, the
doubtful links, and recording a decision on a case or a link (one path: ``_write_decision``).

Who may do what: every page needs a signed-in user (else 401 with a link to the sign-in page);
a ``viewer`` reads, an ``inspector`` reads and decides for their own provinces, an ``admin``
for all. Another province's case is 403 whether read or decided, and nothing is written. Every
POST form carries the session's token; a missing or wrong one is 403 and nothing is written.

Each page has its module (``sign_in_pages``, ``cases_page``, ``export_page``, ``case_page``,
``links_page``), what they share is in ``page_tools`` and ``decision_form``; ``router`` holds
their routes in this order, so that ``/cases/export.xlsx`` is matched before
``/cases/{case_id}``. Their names are importable from here too.
"""

from __future__ import annotations

from fastapi import APIRouter

from reconcile.web import case_page, cases_page, export_page, links_page, sign_in_pages
from reconcile.web.case_page import FIRM_FIELDS, UNIT_FIELDS, decide, one_case
from reconcile.web.cases_page import CaseFilters, case_filters, cases
from reconcile.web.decision_form import _check_decider, _write_decision
from reconcile.web.export_page import XLSX, export_cases, export_file_name
from reconcile.web.links_page import LINK_DECISIONS, decide_link, links, links_url
from reconcile.web.page_tools import (
    NOTE_LIMIT,
    NotSignedIn,
    SignedIn,
    _allowed,
    _check_csrf,
    _quarter,
    case_url,
    current_user,
    redirect,
    render,
    root,
)
from reconcile.web.sign_in_pages import home, login, login_form, logout

router = APIRouter()
for _page in (sign_in_pages, cases_page, export_page, case_page, links_page):
    router.include_router(_page.router)

__all__ = [
    "FIRM_FIELDS",
    "LINK_DECISIONS",
    "NOTE_LIMIT",
    "UNIT_FIELDS",
    "XLSX",
    "CaseFilters",
    "NotSignedIn",
    "SignedIn",
    "_allowed",
    "_check_csrf",
    "_check_decider",
    "_quarter",
    "_write_decision",
    "case_filters",
    "case_url",
    "cases",
    "current_user",
    "decide",
    "decide_link",
    "export_cases",
    "export_file_name",
    "home",
    "links",
    "links_url",
    "login",
    "login_form",
    "logout",
    "one_case",
    "redirect",
    "render",
    "root",
    "router",
]
