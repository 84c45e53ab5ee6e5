"""Shared fixtures. Every test runs with the network blocked: nothing reaches it by accident."""

from __future__ import annotations

import socket

import pytest


class NetworkBlocked(OSError):
    pass


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkBlocked("tests never touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Each test gets its own empty DEEPMAP_HOME, so no real cache leaks in."""
    monkeypatch.setenv("DEEPMAP_HOME", str(tmp_path / "deepmap-home"))
