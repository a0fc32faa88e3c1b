"""The service lines: the kinds of service workers rate, registered by the features that deliver them.

Each feature registers its lines in its own ``ratings.py`` (imported at startup by
``SatisfactionConfig.ready``) and keeps a constant for each code, e.g. in ``unionhome/voices/ratings.py``::

    APPEALS = "appeals"
    register_service_line(ServiceLineSpec(APPEALS, _("Answers to workers' appeals"), order=60))

``Rating.service_line`` stores the code. The satisfaction app names no feature: adding a service line
is one registration in the feature's own app, with no change here. ``weight`` is the line's weight in
the overall satisfaction index; ``order`` sorts the lines wherever they are listed.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise

_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class ServiceLineSpec:
    code: str
    label: str | Promise  # lazily translated
    weight: float = 1.0
    order: int = 100

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE.fullmatch(self.code):
            raise ValueError(f"A service line code is 1-40 small letters, digits or underscores, not {self.code!r}.")
        if not self.weight > 0:
            raise ValueError(f"The weight of service line {self.code!r} must be positive, not {self.weight!r}.")


_REGISTRY: dict[str, ServiceLineSpec] = {}


def register_service_line(spec: ServiceLineSpec) -> ServiceLineSpec:
    """Register ``spec``; registering the same spec again is harmless, another spec under a taken code is not."""
    known = _REGISTRY.get(spec.code)
    if known is not None and known != spec:
        raise ValueError(f"Service line {spec.code!r} is registered already, differently.")
    _REGISTRY[spec.code] = spec
    return spec


def unregister_service_line(code: str) -> None:
    """For tests that register a line of their own."""
    _REGISTRY.pop(code, None)


def service_lines() -> list[ServiceLineSpec]:
    """Every registered line, by ``order`` then code."""
    return sorted(_REGISTRY.values(), key=lambda spec: (spec.order, spec.code))


def service_line_spec(code: str) -> ServiceLineSpec | None:
    return _REGISTRY.get(code)


def service_line_label(code: str) -> str:
    """The translated label of the line, or the code itself for a line no feature registers (any more)."""
    spec = _REGISTRY.get(code)
    return str(spec.label) if spec is not None else code


def is_service_line(code: str) -> bool:
    return code in _REGISTRY
