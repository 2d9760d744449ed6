"""Exercise 3 probes: the image (built and run for real), Kubernetes manifests, CI, configurations, alerts."""

from __future__ import annotations

from typing import Any

from mcptest.grading.context import GradingContext
from mcptest.grading.outcome import Miss, Skip
from mcptest.grading.probes import probe
from mcptest.grading.project import alerts, envconfig, image, kubernetes, workflow
from mcptest.grading.project.files import Project, scan

CONTAINER_PORT = 8000


def project_of(ctx: GradingContext) -> Project:
    """The scanned project folder (once per run)."""
    if "project" not in ctx.scratch:
        if ctx.options.project is None:
            raise Skip("no project folder was given (--project DIR)")
        ctx.scratch["project"] = scan(ctx.options.project)
    return ctx.scratch["project"]


# -- the image --------------------------------------------------------------------------------------------
def _docker(ctx: GradingContext) -> Any:
    from mcptest.launch import docker as mcp_docker
    from mcptest.launch.process import LaunchError

    try:
        sdk = mcp_docker.client()
        mcp_docker.check_image(sdk, ctx.options.base_image)
    except LaunchError as exc:
        raise Skip(f"Docker is not available here: {str(exc).splitlines()[0]}") from None
    return sdk


def built_image(ctx: GradingContext) -> Any:
    """The submission's image (built once per run): a Miss if it does not build, a Skip without Docker."""
    if "image" not in ctx.scratch:
        ctx.scratch["image"] = _build(ctx)
    outcome = ctx.scratch["image"]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _build(ctx: GradingContext) -> Any:
    project = project_of(ctx)
    try:
        sdk = _docker(ctx)
        plan = image.build_plan(project)
        wheels, key = image.wheelhouse(image.requirements(plan.context))
        base = image.grading_base(sdk, ctx.options.base_image, wheels, key)
        return image.build(sdk, plan, image.image_tag(project), base)
    except image.ImageError as exc:
        return Miss(str(exc), exc.details)
    except image.GradingSetupError as exc:
        return Skip(str(exc))
    except (Miss, Skip) as exc:
        return exc


def running_container(ctx: GradingContext) -> Any:
    """The image running with port 8000 published on 127.0.0.1 (once per run)."""
    from mcptest.launch import docker as mcp_docker
    from mcptest.launch.process import LaunchError

    if "container" not in ctx.scratch:
        tag = built_image(ctx).tags[0]
        try:
            running = mcp_docker.run_http_container(tag, CONTAINER_PORT, {}, timeout=60.0)
        except LaunchError as exc:
            ctx.scratch["container"] = Miss(f"the image did not serve MCP on port {CONTAINER_PORT} at /mcp: "
                                            f"{str(exc).splitlines()[0]}", str(exc))
        else:
            ctx.scratch["container"] = running
            ctx.on_close(running.stop)
    outcome = ctx.scratch["container"]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@probe("image-builds")
def image_builds(ctx: GradingContext) -> None:
    """The Dockerfile builds (offline, on the grading base image given as BASE_IMAGE)."""
    built_image(ctx)


@probe("image-non-root")
def image_non_root(ctx: GradingContext) -> None:
    """The image declares a non-root USER and its processes really run as that user."""
    config = built_image(ctx).attrs["Config"]
    user = str(config.get("User") or "")
    if user.split(":")[0] in ("", "root", "0"):
        raise Miss(f"the image runs as root (USER is {user or 'not set'})")
    processes = running_container(ctx).container.top(ps_args="-o pid,uid,args")["Processes"] or []
    rooted = [args for _, uid, args in processes if uid.strip() == "0"]
    if rooted:
        raise Miss(f"process {rooted[0][:80]!r} runs as root in the container although USER is {user}")


@probe("image-healthcheck")
def image_healthcheck(ctx: GradingContext) -> None:
    """The image has a HEALTHCHECK, and its command succeeds in the running container."""
    test = (built_image(ctx).attrs["Config"].get("Healthcheck") or {}).get("Test") or []
    if not test or test[0] == "NONE":
        raise Miss("the image has no HEALTHCHECK")
    command = ["/bin/sh", "-c", test[1]] if test[0] == "CMD-SHELL" else list(test[1:])
    code, output = running_container(ctx).container.exec_run(["timeout", "30", *command])
    if code != 0:
        tail = " ".join(output.decode("utf-8", "replace").split())[-200:]
        raise Miss(f"the HEALTHCHECK command {' '.join(test[1:])[:120]!r} exits with {code} in the running "
                   f"container: {tail or 'no output'}")


@probe("image-suite")
def image_suite(ctx: GradingContext) -> None:
    """The built image passes mcptest's conformance suite over streamable HTTP."""
    from mcptest.grading.probes.server import judge_suite, run_suite

    url = running_container(ctx).url
    judge_suite(run_suite(ctx, url, None), f"the container at {url}")


# -- Kubernetes ---------------------------------------------------------------------------------------------
def _manifests(ctx: GradingContext) -> list[tuple[str, dict[str, Any]]]:
    project = project_of(ctx)
    found = [(f"{project.relative(f.path)} ({d.get('kind')} {(d.get('metadata') or {}).get('name', '')})".strip(), d)
             for f, d in project.kubernetes()]
    if not found:
        raise Miss("no Kubernetes manifest (a YAML document with apiVersion and kind) was found")
    return found


@probe("k8s-valid")
def k8s_valid(ctx: GradingContext) -> None:
    """Every manifest is valid against the Kubernetes schemas; there is a Deployment and a Service."""
    project = project_of(ctx)
    broken = [f"{project.relative(f.path)}: {f.error}" for f in project.yaml_files if f.error]
    manifests = _manifests(ctx)
    version = kubernetes.schema_version()
    problems = broken + [f"{where}: {error}" for where, doc in manifests
                         for error in kubernetes.schema_errors(doc, version)]
    if problems:
        raise Miss(f"{problems[0]} (Kubernetes {version} schemas)", "\n".join(problems))
    kinds = {doc.get("kind") for _, doc in manifests}
    missing = [kind for kind in ("Deployment", "Service") if kind not in kinds]
    if missing and not ("StatefulSet" in kinds and missing == ["Deployment"]):
        raise Miss(f"the manifests have no {' and no '.join(missing)} (kinds found: {', '.join(sorted(kinds))})")


def _containers(ctx: GradingContext) -> list[tuple[str, Any]]:
    found = [(f"{where} container {c.get('name')!r}", c) for where, doc in _manifests(ctx)
             for c in kubernetes.containers(doc)]
    if not found:
        raise Miss("no workload (Deployment, StatefulSet, ...) with containers was found in the manifests")
    return found


@probe("k8s-probes")
def k8s_probes(ctx: GradingContext) -> None:
    """Every container of every workload has a liveness and a readiness probe."""
    for where, container in _containers(ctx):
        missing = [p for p in ("livenessProbe", "readinessProbe") if not container.get(p)]
        if missing:
            raise Miss(f"{where} has no {' and no '.join(missing)}")


@probe("k8s-resources")
def k8s_resources(ctx: GradingContext) -> None:
    """Every container declares cpu and memory requests and limits."""
    for where, container in _containers(ctx):
        missing = kubernetes.missing_resources(container)
        if missing:
            raise Miss(f"{where} has no resources {', '.join(missing)}")


@probe("k8s-secrets")
def k8s_secrets(ctx: GradingContext) -> None:
    """Secrets are referenced (secretKeyRef / secretRef), never written into the manifests."""
    for where, doc in _manifests(ctx):
        if doc.get("kind") == "Secret" and (doc.get("data") or doc.get("stringData")):
            keys = sorted({**(doc.get("data") or {}), **(doc.get("stringData") or {})})
            raise Miss(f"{where} commits secret values ({', '.join(keys)})")
        if doc.get("kind") == "ConfigMap":
            leaked = [k for k, v in (doc.get("data") or {}).items() if kubernetes.SECRET_NAME.search(str(k)) and v]
            if leaked:
                raise Miss(f"{where} puts secrets into a ConfigMap: {', '.join(leaked)}")
    for where, container in _containers(ctx):
        literal = kubernetes.literal_secrets(container)
        if literal:
            raise Miss(f"{where} sets {', '.join(literal)} as a literal value instead of a secretKeyRef")


# -- CI/CD --------------------------------------------------------------------------------------------------
def _workflows(ctx: GradingContext) -> list[tuple[str, dict[str, Any]]]:
    project = project_of(ctx)
    found = [(project.relative(f.path), d) for f, d in project.workflows()]
    if not found:
        raise Miss("no CI workflow (.github/workflows/*.yml, or a YAML file with on: and jobs:) was found")
    return found


@probe("ci-valid")
def ci_valid(ctx: GradingContext) -> None:
    """The workflow validates against the GitHub Actions workflow schema."""
    for where, document in _workflows(ctx):
        errors = workflow.schema_errors(document)
        if errors:
            raise Miss(f"{where} is not a valid GitHub Actions workflow: {errors[0]}", "\n".join(errors))


@probe("ci-tests-before-deploy")
def ci_tests_before_deploy(ctx: GradingContext) -> None:
    """The pipeline runs the tests, and deploys only after they passed."""
    verdicts = [(where, *workflow.tests_before_deploy(document)) for where, document in _workflows(ctx)]
    if not any(ok for _, ok, _ in verdicts):
        where, _, why = verdicts[0]
        raise Miss(f"{where}: {why}")
    unsafe = [(where, why) for where, ok, why in verdicts if not ok and "deploys without" in why]
    if unsafe:
        raise Miss(f"{unsafe[0][0]}: {unsafe[0][1]}")


# -- configuration and alerts --------------------------------------------------------------------------------
@probe("env-configs")
def env_configs(ctx: GradingContext) -> None:
    """Per-environment configuration files exist, differ where environments differ, and hold no secrets."""
    project = project_of(ctx)
    groups, errors = envconfig.grouped(project)
    if errors:
        raise Miss(errors[0], "\n".join(errors))
    if not groups:
        found = ", ".join(f"{env}: {', '.join(project.relative(p) for p in paths)}"
                          for env, paths in sorted(project.env_files.items())) or "none"
        raise Miss(f"no configuration exists for two environments (files per environment: {found})")
    for group in groups:
        names = {env: project.relative(path) for env, path in group.files.items()}
        common = set.intersection(*(set(values) for values in group.values.values()))
        if not common:
            raise Miss(f"{' and '.join(names.values())} share no setting: files of one kind should set the same keys")
        if all(len({values[key] for values in group.values.values()}) == 1 for key in common):
            raise Miss(f"{' and '.join(names.values())} are identical in every setting they share")
        for env, values in group.values.items():
            secrets = envconfig.secrets_in(values)
            if secrets:
                raise Miss(f"{names[env]} holds secret values: {', '.join(secrets)}")
            debug = envconfig.debug_settings(values) if env == "prod" else []
            if debug:
                raise Miss(f"{names[env]} (production) turns on debugging: {', '.join(debug)}")


@probe("alert-rules")
def alert_rules(ctx: GradingContext) -> None:
    """The alerting rules are valid Prometheus rule files and cover the error rate and availability."""
    project = project_of(ctx)
    files = [(project.relative(f.path), d) for f, d in project.rule_files()]
    if not files:
        raise Miss("no Prometheus rule file (YAML with a top-level groups: list of {name, rules}) was found")
    problems, found = [], []
    for where, document in files:
        file_problems, file_alerts = alerts.check_rule_file(document, where)
        problems += file_problems
        found += file_alerts
    if problems:
        raise Miss(problems[0], "\n".join(problems))
    for what, check in (("error rate", lambda e: e.error_rate), ("availability", lambda e: e.availability)):
        if not any(check(expression) for _, expression in found):
            names = ", ".join(name for name, _ in found) or "none"
            raise Miss(f"no alert watches the {what} (alerts: {names})")

