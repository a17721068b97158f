"""The admin's CSS is served with debug off: by runserver as the README runs it, and in tests."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.deploy.support import ROOT, environment

CSS = "/static/admin/css/base.css"


def test_the_application_serves_the_admin_css_with_debug_off(client, settings):
    assert settings.DEBUG is False

    response = client.get(CSS)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"body" in b"".join(response.streaming_content)


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(server: subprocess.Popen, port: int, log, deadline: float) -> None:
    """Return once the server accepts a connection on port; fail if it exits or the time ends."""
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"runserver did not listen on {port} in time:\n{log.read_text()}")
        try:
            server.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"runserver exited with {server.returncode}:\n{log.read_text()}")


def get(url: str) -> tuple[int, str, bytes]:
    """Return the status, content type and body of a GET of url."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers["Content-Type"], response.read()


@pytest.mark.parametrize("debug", [None, "0", "1"], ids=["debug unset", "debug off", "debug on"])
def test_runserver_serves_the_admin_and_its_css_over_http(tmp_path, debug):
    port = free_port()
    env = environment(
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **({"DJANGO_DEBUG": debug} if debug is not None else {}),
    )
    log = tmp_path / "runserver.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(server, port, log, deadline=time.monotonic() + 120)

        css_status, css_type, css = get(f"http://127.0.0.1:{port}{CSS}")
        page_status, _, page = get(f"http://127.0.0.1:{port}/admin/login/")
    finally:
        server.terminate()
        server.wait(timeout=60)

    assert css_status == 200
    assert css_type.startswith("text/css")
    assert b"body" in css
    assert page_status == 200
    assert f'href="{CSS}"'.encode() in page
    # No complaint at start, such as WhiteNoise's about a missing static directory.
    assert "UserWarning" not in log.read_text()
