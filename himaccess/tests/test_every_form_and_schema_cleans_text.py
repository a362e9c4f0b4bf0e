"""Every form and every API input schema of the project cleans the text it takes in.

Found, not listed: the forms are every ``Form``/``ModelForm`` class defined
in the project's modules; the schemas are every body an API operation reads
(and the models nested in it), plus every schema named ``...In``. A new form
or schema that forgets the clean-text base makes this fail.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any, get_args

from django import forms
from django.apps import apps
from pydantic import BaseModel

import himaccess.lib
from himaccess.api import api
from himaccess.lib.forms import CleanTextMixin
from himaccess.lib.schemas import CleanTextSchema

SKIPPED = (".tests", ".migrations", ".management", ".synthetic")


def project_modules() -> Iterator[Any]:
    """Every module of the installed project apps and of ``himaccess.lib``."""
    packages = [config.module for config in apps.get_app_configs() if config.name.startswith("himaccess.")]
    for package in [*packages, himaccess.lib]:
        assert package is not None
        for found in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not any(part in found.name for part in SKIPPED):
                yield importlib.import_module(found.name)


def subclasses(base: type) -> set[type]:
    found: set[type] = set()
    pending = [base]
    while pending:
        children: list[type] = pending.pop().__subclasses__()
        for sub in children:
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from models_in(field.annotation)
    for inner in get_args(annotation):
        yield from models_in(inner)


def test_every_project_form_cleans_its_text() -> None:
    list(project_modules())
    project_forms = {
        form
        for form in subclasses(forms.BaseForm)
        if form.__module__.startswith("himaccess.") and ".tests" not in form.__module__
    }
    assert len(project_forms) > 20, "the forms were not found"
    missing = sorted(
        f"{f.__module__}.{f.__qualname__}" for f in project_forms if not issubclass(f, CleanTextMixin)
    )
    missing = [name for name in missing if not name.startswith("himaccess.lib.forms.")]
    assert not missing, "forms that do not derive from lib.forms.CleanTextForm:\n" + "\n".join(missing)


def test_every_api_body_cleans_its_text() -> None:
    api.get_openapi_schema()  # builds every operation
    bodies: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for params in operation.signature.models:
                    if params.__name__.startswith(("BodyParams", "FormParams")):
                        for field in params.model_fields.values():
                            bodies.update(models_in(field.annotation))
    assert len(bodies) >= 4, "the API's bodies were not found"
    list(project_modules())
    named = {
        schema
        for schema in subclasses(BaseModel)
        if schema.__module__.startswith("himaccess.") and schema.__name__.endswith("In")
    }
    missing = sorted(
        f"{schema.__module__}.{schema.__qualname__}"
        for schema in bodies | named
        if not issubclass(schema, CleanTextSchema)
    )
    assert not missing, (
        "API input schemas that do not derive from lib.schemas.CleanTextSchema:\n" + "\n".join(missing)
    )
