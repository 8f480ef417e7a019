"""The submission pages: the list of submissions with the upload form, and one submission's report.

Both are filled in the browser from GraphQL (``kg-submissions.js``): ``submissions`` and ``submission(id:)``
to read, and the ``validateDataset`` (dry run, nothing stored) and ``submitDataset`` mutations as GraphQL
multipart uploads to send a file, so the pages apply exactly the API's authentication and roles (submitters
for their own department's datasets, admins for any). The script groups a report's problems by rule (SHACL
shape, else constraint, else message), each problem pointing at its source row and column.

The server side needs only to know whether the submission service is running: without one (the dataset
catalogue could not be loaded) the pages say so instead of offering a form that cannot work.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from kg_service.web.rendering import PageRenderer

SUBMISSIONS_PATH: Final = "/submissions"
MAX_ID_LENGTH: Final = 200


class SubmissionPages:
    """The handlers of ``/submissions`` and ``/submissions/{id}``."""

    def __init__(self, renderer: PageRenderer) -> None:
        self.renderer = renderer

    def routes(self) -> list[BaseRoute]:
        """The two page routes."""
        return [
            Route(SUBMISSIONS_PATH, self.list_page, methods=["GET", "HEAD"], name="web-submissions"),
            Route(
                SUBMISSIONS_PATH + "/{submission_id}",
                self.report_page,
                methods=["GET", "HEAD"],
                name="web-submission",
            ),
        ]

    async def list_page(self, request: Request) -> Response:
        return self.renderer.render(request, "submissions.html", "submissions", title_key="submissions.title")

    async def report_page(self, request: Request) -> Response:
        submission_id = str(request.path_params["submission_id"])[:MAX_ID_LENGTH]
        return self.renderer.render(
            request,
            "submission.html",
            "submission",
            title_key="submissions.report",
            submissionId=submission_id,
        )
