"""What the pages read from the warehouse: SQLAlchemy Core, bound parameters only.

A case of a quarter is its findings in that quarter (one row per case: the money at stake
summed over its rules), with its status that quarter (``new`` when the status table has none
yet, as the workbook shows it) and the decision that counts for it: the latest one landed up to
that quarter, by the order of ``rules.decisions.ORDER`` (a window function here, the same order
as ``decisions.latest``, which the case page uses on the case's own decisions).

One module per view of the warehouse: ``case_list``, ``case_detail``, ``review`` (the doubtful
links), ``export`` (a filter as the workbook's frames) and ``decisions`` (the one write).
"""

from reconcile.web.queries.case_detail import CaseDetail, case_detail
from reconcile.web.queries.case_list import (
    PAGE_SIZE,
    UNDECIDED,
    CaseFilter,
    CasePage,
    case_page,
    province_codes,
    quarters,
)
from reconcile.web.queries.decisions import new_decision_id, record_decision
from reconcile.web.queries.export import ExportFrames, export_frames
from reconcile.web.queries.review import (
    REVIEW,
    ReviewPage,
    counting_decisions,
    link_quarters,
    review_link,
    review_links,
)

__all__ = [
    "PAGE_SIZE",
    "REVIEW",
    "UNDECIDED",
    "CaseDetail",
    "CaseFilter",
    "CasePage",
    "ExportFrames",
    "ReviewPage",
    "case_detail",
    "case_page",
    "counting_decisions",
    "export_frames",
    "link_quarters",
    "new_decision_id",
    "province_codes",
    "quarters",
    "record_decision",
    "review_link",
    "review_links",
]
