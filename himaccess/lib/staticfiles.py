"""How production keeps its static files: WhiteNoise's hashed, compressed copies.

The vendored Swagger UI (``himaccess/vendor/swagger-ui``) ends with a
``sourceMappingURL`` comment naming a source map that is not shipped (only
what the page runs is vendored, with its checksums). Django's manifest storage
would stop ``collectstatic`` on that missing file; source-map comments are
therefore left as written: a browser asks for the map only with its developer
tools open, and gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: Any) -> tuple[Any, ...]:
    kept = []
    for extension, rules in patterns:
        rules = tuple(
            rule for rule in rules if "sourceMappingURL" not in (rule[0] if isinstance(rule, tuple) else rule)
        )
        kept.append((extension, rules))
    return tuple(kept)


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
