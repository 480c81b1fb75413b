"""Running the service: uvicorn on one host and port, the access log as JSON lines on standard error."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import signal
import socket
import sys
from typing import Any

from kamengine.engine.errors import KamengineError, UsageError


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_auth(host: str, auth: bool) -> None:
    """``--no-auth`` is for one person on their own machine: refused on any address others can reach."""
    if not auth and not is_loopback(host):
        raise UsageError(f"--no-auth only on a loopback address (127.0.0.1, ::1, localhost), not {host}")


def access_logging() -> None:
    """Access log lines go to standard error as they are: one JSON object per line."""
    logger = logging.getLogger("kamengine.access")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


#: How uvicorn treats slow or idle clients. At SIGTERM the requests under way get ``GRACE_SECONDS``, then are
#: cancelled: a client dripping its body must not hold the server off (it held it 38 s). An idle keep-alive
#: connection is closed after ``KEEP_ALIVE_SECONDS``.
GRACE_SECONDS = 10
KEEP_ALIVE_SECONDS = 5


def port_free(host: str, port: int) -> bool:
    """Whether uvicorn can listen on ``host:port``. The probe binds as uvicorn does, with SO_REUSEADDR: the
    connections of a server just stopped (TIME_WAIT, about a minute) do not keep a new one from starting."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(app: object, host: str, port: int, *, workers: int = 1, log_config: dict[str, Any] | None = None) -> None:
    """Serve until SIGTERM or Ctrl-C; uvicorn finishes the requests under way, then the app closes its store.
    ``workers`` > 1: ``app`` is the import string of a factory each of that many processes calls (uvicorn's
    supervisor starts them on the one socket, and starts another for one that dies). ``log_config``: uvicorn's
    logging as ``service/logs.py`` builds it (None: uvicorn's own, the access log as JSON lines)."""
    import uvicorn

    if not port_free(host, port):
        raise UsageError(f"--port {port}: the address {host}:{port} is in use or cannot be used")
    said = f"kamengine serving on {address(host, port)}"
    access_logging()
    settings = network_settings() | ({"log_config": log_config} if log_config is not None else {})
    if workers == 1:
        the_app: Any = app  # an ASGI app, typed object here so that callers need not import uvicorn's types
        config = uvicorn.Config(
            the_app, host=host, port=port, access_log=False, log_level="info", lifespan="on", **settings
        )
        serve_one(config, said)
        return
    print(said, file=sys.stderr, flush=True)
    if not isinstance(app, str):
        raise TypeError("serve(workers > 1) takes the import string of the app's factory, not an app")
    config = uvicorn.Config(
        app, host=host, port=port, access_log=False, log_level="info", lifespan="on", factory=True, workers=workers,
        **settings,
    )  # fmt: skip
    supervise(config)


def serve_one(config: Any, said: str) -> None:
    """What ``uvicorn.run`` does for one process (``config``: a ``uvicorn.Config``), saying ``said`` on standard error
    once the server listens: a script (or a test) that waits for the line can connect at once, not be refused while
    the app starts. Ends with uvicorn's own status 3 when the server could not start, as ``uvicorn.run`` does."""
    import uvicorn

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(said, file=sys.stderr, flush=True)

    server = Announcing(config)
    with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: its own signal handling ends the server
        server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE


def supervise(config: Any) -> None:
    """uvicorn's supervisor of ``config.workers`` processes on one socket (``config``: a ``uvicorn.Config``), ended
    as one process ends: by SIGTERM or Ctrl-C, which are raised again once the processes have stopped, with the
    command's own handlers back (``terminated``, exit status 143); a process that could not start, in one line."""
    from uvicorn.supervisors.multiprocess import SIGNALS, Multiprocess

    class Supervisor(Multiprocess):
        stopped_by: int | None = None

        def handle_int(self) -> None:
            self.stopped_by = signal.SIGINT
            super().handle_int()

        def handle_term(self) -> None:
            self.stopped_by = signal.SIGTERM
            super().handle_term()

    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    supervisor = Supervisor(config, sockets=[config.bind_socket()])  # it takes the signals from here on
    try:
        supervisor.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)  # None: one set outside Python
    if supervisor.stopped_by is None:
        raise KamengineError("a serving process could not start (its error is above)")
    signal.raise_signal(supervisor.stopped_by)


def network_settings() -> dict[str, Any]:
    """How uvicorn faces the network: its HTTP/1.1 protocol with a deadline for request heads and a cap on open
    connections (``connections.py``), the shutdown grace and the keep-alive timeout."""
    from .connections import GuardedH11Protocol

    return {
        "http": GuardedH11Protocol,
        "timeout_graceful_shutdown": GRACE_SECONDS,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }


def address(host: str, port: int) -> str:
    """The URL to open: an IPv6 address in brackets (http://[::1]:8765)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
