"""The port check before ``kamengine serve`` starts: a port a stopped server's connections linger on is free."""

from __future__ import annotations

import socket

from kamengine.service.server import port_free


def _time_wait_port() -> int:
    """A port whose server side closed a connection first, as a stopped server does: it lingers in TIME_WAIT."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server closes first: its end of the connection goes to TIME_WAIT
        client.recv(1)
        client.close()
    return port


def test_a_port_in_time_wait_is_free_for_a_new_server() -> None:
    port = _time_wait_port()
    with socket.socket() as plain:  # what the probe did before: a bind without SO_REUSEADDR fails here
        try:
            plain.bind(("127.0.0.1", port))
            lingering = False
        except OSError:
            lingering = True
    assert lingering, "no TIME_WAIT connection was left on the port"
    assert port_free("127.0.0.1", port)


def test_a_port_a_server_listens_on_is_not_free() -> None:
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert not port_free("127.0.0.1", taken.getsockname()[1])
