"""Shared fixtures. Every test runs with the network blocked: nothing reaches it by accident.

Loopback stays open (127.0.0.1, ::1, localhost): a test may start a real HTTP server on
this machine and talk to it (the Ollama client's tests do), which is not the network.
"""

from __future__ import annotations

import socket

import pytest


class NetworkBlocked(OSError):
    pass


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _host(address) -> str | None:
    return address[0] if isinstance(address, tuple) and address else None


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def guard(original, pick):
        def call(*args, **kwargs):
            if pick(args) not in LOOPBACK:
                raise NetworkBlocked("tests never touch the network")
            return original(*args, **kwargs)

        return call

    monkeypatch.setattr(
        socket.socket, "connect", guard(socket.socket.connect, lambda a: _host(a[1]))
    )
    monkeypatch.setattr(
        socket.socket, "connect_ex", guard(socket.socket.connect_ex, lambda a: _host(a[1]))
    )
    monkeypatch.setattr(
        socket, "create_connection", guard(socket.create_connection, lambda a: _host(a[0]))
    )
    monkeypatch.setattr(socket, "getaddrinfo", guard(socket.getaddrinfo, lambda a: a[0]))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Each test gets its own empty DEEPMAP_HOME, so no real cache leaks in."""
    monkeypatch.setenv("DEEPMAP_HOME", str(tmp_path / "deepmap-home"))
