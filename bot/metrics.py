"""Prometheus metrics and the small HTTP endpoint serving `/metrics` and `/healthz`."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


class Metrics:
    """Every metric geoalert exports, on a registry of its own (tests build as many as needed)."""

    def __init__(self, *, replica: str | None = None) -> None:
        self.registry = CollectorRegistry()
        # What `/metrics` serves: with replicas (PostgreSQL), every sample carries a
        # `replica` label, so one Prometheus tells the replicas apart.
        self.exported = self.registry
        if replica is not None:
            self.exported = CollectorRegistry()
            self.exported.register(_Labelled(self.registry, replica))
        r = self.registry
        self.feeds_polled = Counter("geoalert_feeds_polled", "Feed fetches attempted", registry=r)
        self.fetch_errors = Counter("geoalert_fetch_errors", "Feed fetches that failed", registry=r)
        self.items = Counter("geoalert_items_stored", "New items stored", registry=r)
        self.matches = Counter("geoalert_matches", "New topic matches", ["topic"], registry=r)
        self.alerts_sent = Counter(
            "geoalert_alerts_sent", "Alerts accepted by Telegram", registry=r
        )
        self.telegram_errors = Counter(
            "geoalert_telegram_errors", "Telegram errors by kind", ["kind"], registry=r
        )
        self.poll_duration = Histogram(
            "geoalert_poll_duration_seconds", "Duration of one poll", registry=r,
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
        )  # fmt: skip
        self.verdict_taps = Counter(
            "geoalert_verdict_taps", "Verdict buttons tapped, by topic and verdict",
            ["topic", "verdict"], registry=r,
        )  # fmt: skip
        self.last_poll = Gauge(
            "geoalert_last_poll_timestamp_seconds", "Unix time of the last poll", registry=r
        )

    def watch_backlog(self, read_backlog: Callable[[], int]) -> None:
        """Export the outbox backlog, read from the database at scrape time."""
        self.registry.register(_BacklogCollector(read_backlog))

    def watch_verdicts(self, read: Callable[[], dict[tuple[str, bool], int]]) -> None:
        """Export the stored verdicts per topic and verdict (one per user and alert), read
        from the database at scrape time: `geoalert_verdicts{topic, verdict}`."""
        self.registry.register(_VerdictCollector(read))


class _Labelled(Collector):
    """Every metric of `registry`, each sample with `replica="…"` added."""

    def __init__(self, registry: CollectorRegistry, replica: str) -> None:
        self._registry, self._replica = registry, replica

    def collect(self) -> Iterable[Metric]:
        for family in self._registry.collect():
            samples = [
                s._replace(labels={**s.labels, "replica": self._replica}) for s in family.samples
            ]
            family.samples = samples
            yield family


class _BacklogCollector(Collector):
    def __init__(self, read: Callable[[], int]) -> None:
        self._read = read

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily("geoalert_outbox_backlog", "Alerts waiting to be delivered")
        try:
            family.add_metric([], float(self._read()))
        except Exception as exc:  # a scrape must not crash on a database hiccup
            log.warning("backlog metric unavailable reason=%s", exc)
            return []
        return [family]


class _VerdictCollector(Collector):
    def __init__(self, read: Callable[[], dict[tuple[str, bool], int]]) -> None:
        self._read = read

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "geoalert_verdicts", "Stored verdicts on alerts, by topic and verdict",
            labels=["topic", "verdict"],
        )  # fmt: skip
        try:
            counts = self._read()
        except Exception as exc:  # a scrape must not crash on a database hiccup
            log.warning("verdict metric unavailable reason=%s", exc)
            return []
        for (topic, relevant), count in sorted(counts.items()):
            family.add_metric([topic, "relevant" if relevant else "not_relevant"], float(count))
        return [family]


@dataclass(frozen=True)
class Health:
    ok: bool
    details: dict[str, Any]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class StatusServer:
    """`/metrics` (Prometheus) and `/healthz` (200 or 503 with JSON details), in a thread."""

    def __init__(self, metrics: Metrics, health: Callable[[], Health], host: str, port: int):
        metrics_app = make_wsgi_app(metrics.exported)

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            path = environ.get("PATH_INFO", "")
            if path == "/metrics":
                return metrics_app(environ, start_response)
            if path == "/healthz":
                result = health()
                body = json.dumps({"ok": result.ok, **result.details}, default=str).encode()
                status = "200 OK" if result.ok else "503 Service Unavailable"
                start_response(status, [("Content-Type", "application/json")])
                return [body]
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: try /healthz or /metrics\n"]

        self._server: WSGIServer = make_server(host, port, app, handler_class=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> StatusServer:
        self._thread.start()
        log.info("status endpoint listening port=%s paths=/healthz,/metrics", self.port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
