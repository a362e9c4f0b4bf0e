"""With DEBUG off, the WSGI application itself serves the collected static files (WhiteNoise).

Production runs ``collectstatic`` at each deployment into STATIC_ROOT; pages
then name each file by a hash of its content, and the same WSGI application
gunicorn runs answers for it, compressed and cached for a year, with no web
server in front needed for it.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.test import override_settings

pytestmark = pytest.mark.django_db

PRODUCTION_STORAGE = "himaccess.lib.staticfiles.HashedStaticFiles"
YEAR = 315_360_000  # WhiteNoise's max-age for files whose name carries their hash (ten years, in fact)


class Answer:
    def __init__(self) -> None:
        self.status = ""
        self.headers: dict[str, str] = {}

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status = status
        self.headers = {name.lower(): value for name, value in headers}


def fetch(app: Callable[..., Iterable[bytes]], path: str, **headers: str) -> tuple[Answer, bytes]:
    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET", **headers}
    setup_testing_defaults(environ)
    answer = Answer()
    chunks = app(environ, answer.start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return answer, body


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Production's settings and one collection for the module (compressing every file takes a while)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(
        DEBUG=False,
        ALLOWED_HOSTS=["127.0.0.1"],
        STATIC_ROOT=root,
        STORAGES={**django_settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_pages_name_hashed_files_and_the_wsgi_app_serves_them(production: Path) -> None:
    app = get_wsgi_application()
    page, html = fetch(app, "/")
    assert page.status.startswith("200")
    css = re.search(rb'href="(/static/himaccess/site\.[0-9a-f]{12}\.css)"', html)
    assert css is not None, "the home page links the stylesheet by its hashed name"

    answer, body = fetch(app, css.group(1).decode())
    assert answer.status.startswith("200")
    assert answer.headers["content-type"].startswith("text/css")
    assert f"max-age={YEAR}" in answer.headers["cache-control"]
    assert body == (production / css.group(1).decode().removeprefix("/static/")).read_bytes()
    assert body == (Path(django_settings.BASE_DIR) / "static" / "himaccess" / "site.css").read_bytes()


def test_the_vendored_swagger_css_is_served_compressed(production: Path) -> None:
    app = get_wsgi_application()
    hashed = next((production / "swagger-ui").glob("swagger-ui.*.css"))
    answer, body = fetch(app, f"/static/swagger-ui/{hashed.name}", HTTP_ACCEPT_ENCODING="gzip")
    assert answer.status.startswith("200")
    assert answer.headers["content-encoding"] == "gzip"
    original = (Path(django_settings.BASE_DIR) / "vendor" / "swagger-ui" / "swagger-ui.css").read_bytes()
    assert gzip.decompress(body) == hashed.read_bytes()
    # Only the unshipped source map's comment is left as written; the rules are the vendored ones.
    assert (
        gzip.decompress(body).split(b"/*# sourceMappingURL")[0] == original.split(b"/*# sourceMappingURL")[0]
    )


def test_an_unknown_static_file_is_a_404_not_a_500(production: Path) -> None:
    answer, _body = fetch(get_wsgi_application(), "/static/himaccess/no-such-file.css")
    assert answer.status.startswith("404")
