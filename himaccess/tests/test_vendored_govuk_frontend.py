"""The pages' stylesheet is the one built from the pinned GOV.UK Frontend, and keeps its brand rules.

``frontend/build.sh`` compiles ``himaccess/static/himaccess/govuk.css`` and records its SHA-256
(with the licence's and the npm tarball's) in ``himaccess/vendor/govuk-frontend/SHA256SUMS``. An
edit by hand, or a build from other settings or another version, no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

VENDOR = Path(settings.BASE_DIR) / "vendor" / "govuk-frontend"
FRONTEND = Path(settings.BASE_DIR).parent / "frontend"


def _listed() -> dict[str, str]:
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_built_stylesheet_and_licence_match_their_checksums() -> None:
    listed = _listed()
    stylesheet = "../../static/himaccess/govuk.css"
    assert {stylesheet, "LICENSE", "govuk-frontend-6.6.0.tgz"} <= set(listed)
    assert Path(finders.find("himaccess/govuk.css") or "") == (VENDOR / stylesheet).resolve()
    for name in (stylesheet, "LICENSE"):
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == listed[name], name
    assert "MIT License" in (VENDOR / "LICENSE").read_text()


def test_the_pinned_version_is_the_one_built() -> None:
    package = json.loads((FRONTEND / "package.json").read_text())
    lock = json.loads((FRONTEND / "package-lock.json").read_text())
    assert package["devDependencies"] == {"govuk-frontend": "6.6.0", "sass": "1.108.2"}
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == "6.6.0"
    assert lock["packages"]["node_modules/govuk-frontend"]["integrity"] in (VENDOR / "README.md").read_text()
    css = (VENDOR / "../../static/himaccess/govuk.css").read_text()
    assert '--govuk-frontend-version: "6.6.0"' in css


def test_stylesheet_uses_none_of_the_gov_uk_identity() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "himaccess" / "govuk.css").read_text()
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "url(" not in css  # no crest, crown or logo image, and no asset to serve
    assert '"Noto Sans","Noto Sans Devanagari",system-ui,sans-serif' in css
    assert "--govuk-brand-colour: #0b5394" in css
