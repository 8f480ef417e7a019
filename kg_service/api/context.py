"""The GraphQL context of one request: the query layer, who is asking, the settings, and the request's
DataLoaders (created on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg_service.api.loaders import Loaders
from kg_service.api.principal import Principal
from kg_service.config import Settings
from kg_service.queries.export import NGSI_LD_CONTEXT_PATH
from kg_service.queries.protocol import LinkageQueries

if TYPE_CHECKING:
    from kg_service.submissions.service import SubmissionService


class RequestContext:
    """What every resolver gets as ``info.context``.

    Args:
        queries: The query layer (shared by all requests).
        principal: The authenticated caller, or ``None`` when the request carried no valid token. Resolvers
            refuse to answer (``UNAUTHENTICATED``) when it is ``None`` and ``settings.auth_required``.
        settings: The service settings.
        base_url: The service's public base URL (``https://host:port``), used for the NGSI-LD ``@context``
            link of exports; defaults to ``http://{settings.host}:{settings.port}``.
        submissions: The submission service (``None`` where the server takes no submissions).
    """

    def __init__(
        self,
        queries: LinkageQueries,
        principal: Principal | None,
        settings: Settings,
        base_url: str | None = None,
        submissions: SubmissionService | None = None,
    ) -> None:
        self.queries = queries
        self.principal = principal
        self.settings = settings
        self.base_url = (base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
        self.submissions = submissions
        self._loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        """This request's DataLoaders (made on first use, so a request that needs none pays nothing)."""
        if self._loaders is None:
            self._loaders = Loaders(self.queries)
        return self._loaders

    @property
    def authorised(self) -> bool:
        """Whether the request may read: it has a principal, or the settings do not require one."""
        return self.principal is not None or not self.settings.auth_required

    @property
    def ngsi_ld_context_url(self) -> str:
        """The URL of the project JSON-LD context that NGSI-LD exports name (served by the app)."""
        return self.base_url + NGSI_LD_CONTEXT_PATH
