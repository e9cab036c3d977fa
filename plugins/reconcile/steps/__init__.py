"""The pipeline's steps, each a function the DAG's tasks and the CLI call alike.

Every step reads and writes the warehouse for one partition (a quarter, a province, a file)
inside one transaction and returns a small JSON-ready summary (what XCom carries). Rerunning
a step replaces its partition and gives the same rows.

One module per step, in the order of a quarter: ``landing`` (land), ``ingestion`` (ingest),
``loading`` (load), ``linking`` (link), ``rules`` (apply_rules), ``publishing`` (publish) and
``run`` (the run's start, end and summary). The modules are not named after the functions
they hold: ``steps.ingest`` is the function, so a module of that name would be hidden behind it.
A file's states are ``warehouse.feed_files``'s; the names of the published files are
``publish.layout.OutputLayout``'s.
"""

from reconcile.steps.ingestion import ingest
from reconcile.steps.landing import land, land_files
from reconcile.steps.linking import link
from reconcile.steps.loading import load
from reconcile.steps.publishing import publish, published
from reconcile.steps.rules import apply_rules
from reconcile.steps.run import end_run, problems, province_states, start_run, summarise, verdict

__all__ = [
    "apply_rules",
    "end_run",
    "ingest",
    "land",
    "land_files",
    "link",
    "load",
    "problems",
    "province_states",
    "publish",
    "published",
    "start_run",
    "summarise",
    "verdict",
]
