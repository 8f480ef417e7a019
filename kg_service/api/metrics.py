"""Prometheus metrics of one app, in a registry of its own (nothing is registered globally).

Label values are bounded: routes are the app's own paths (anything else is ``other``), and GraphQL operation
names, which clients choose, are kept only when they look like names and only for the first
:data:`MAX_OPERATION_NAMES` seen; the rest are counted as ``other``.
"""

from __future__ import annotations

import re
import threading
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

MAX_OPERATION_NAMES: Final = 200
_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ServiceMetrics:
    """Request counts and latencies per route and per GraphQL operation."""

    def __init__(self, routes: frozenset[str]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._routes = routes
        self._operation_names: set[str] = set()
        self._lock = threading.Lock()
        self.http_requests = Counter(
            "kg_http_requests",
            "HTTP requests by route, method and status code.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "kg_http_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ("route",),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.graphql_operations = Counter(
            "kg_graphql_operations",
            "GraphQL operations by operation name and outcome (ok, error, rejected, timeout).",
            ("operation", "outcome"),
            registry=self.registry,
        )
        self.graphql_latency = Histogram(
            "kg_graphql_operation_duration_seconds",
            "Time to execute a GraphQL operation, by operation name.",
            ("operation",),
            buckets=_BUCKETS,
            registry=self.registry,
        )

    def route_label(self, path: str) -> str:
        """The route label of a request path."""
        if path in self._routes:
            return path
        return "/static" if path.startswith("/static/") else "other"

    def operation_label(self, name: str | None) -> str:
        """The label of an operation name: the name itself, ``anonymous``, ``invalid`` or ``other``."""
        if not name:
            return "anonymous"
        if not _NAME_RE.fullmatch(name):
            return "invalid"
        with self._lock:
            if name in self._operation_names:
                return name
            if len(self._operation_names) >= MAX_OPERATION_NAMES:
                return "other"
            self._operation_names.add(name)
            return name

    def observe_request(self, path: str, method: str, status: int, seconds: float) -> None:
        """Record one answered HTTP request."""
        route = self.route_label(path)
        self.http_requests.labels(route, method if method in _METHODS else "other", str(status)).inc()
        self.http_latency.labels(route).observe(seconds)

    def observe_operation(self, name: str | None, outcome: str, seconds: float) -> None:
        """Record one GraphQL operation."""
        label = self.operation_label(name)
        self.graphql_operations.labels(label, outcome).inc()
        self.graphql_latency.labels(label).observe(seconds)

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)


_METHODS: Final = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
