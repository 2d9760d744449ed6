"""Kubernetes manifests: schema validation (kubernetes-validate, strict, offline) and what production needs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

SECRET_NAME = re.compile(r"^(DATABASE_URL|JWT_SECRET|API_KEY_.*)$|PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIAL",
                         re.IGNORECASE)
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"}


def schema_version() -> str:
    """The newest Kubernetes version whose schemas kubernetes-validate ships."""
    from kubernetes_validate import utils

    return str(utils.latest_version())


def schema_errors(document: Mapping[str, Any], version: str) -> list[str]:
    """Why ``document`` is not a valid resource of that Kubernetes version (strict: unknown fields are errors)."""
    from kubernetes_validate import utils

    try:
        utils.validate(dict(document), version, strict=True)
    except utils.ValidationError as exc:
        path = "/".join(str(p) for p in getattr(exc, "absolute_path", [])) or "(top level)"
        return [f"{path}: {getattr(exc, 'message', str(exc))[:300]}"]
    except utils.SchemaNotFoundError:
        return [f"apiVersion {document.get('apiVersion')!r} kind {document.get('kind')!r} does not exist in "
                f"Kubernetes {version}"]
    except (utils.InvalidSchemaError, utils.VersionNotSupportedError) as exc:
        return [str(exc)]
    return []


def pod_spec(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod template's spec of a workload (None for other kinds)."""
    kind = document.get("kind")
    spec = document.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    if kind in WORKLOADS:
        return ((spec.get("template") or {}).get("spec")) or {}
    return None


def containers(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The (non-init) containers of a workload."""
    spec = pod_spec(document) or {}
    yield from (c for c in spec.get("containers") or [] if isinstance(c, Mapping))


def literal_secrets(container: Mapping[str, Any]) -> list[str]:
    """Environment variables named like secrets whose value is written in the manifest."""
    return [str(var.get("name")) for var in container.get("env") or []
            if isinstance(var, Mapping) and SECRET_NAME.search(str(var.get("name", ""))) and "value" in var
            and str(var.get("value") or "").strip()]


def missing_resources(container: Mapping[str, Any]) -> list[str]:
    """Which of requests/limits for cpu/memory a container lacks."""
    resources = container.get("resources") or {}
    return [f"{part}.{kind}" for part in ("requests", "limits") for kind in ("cpu", "memory")
            if not (resources.get(part) or {}).get(kind)]
