"""Resource checks (RES-*): listing shape, reads, unknown URIs, templates, subscriptions."""

from __future__ import annotations

from typing import Any


from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable
from mcptest.spec import uritemplate
from mcptest.spec.shapes import resource_contents_problems, shape_problems

UNKNOWN_URI = "mcptest://no-such-resource/probe"


def valid_template(uri: str) -> bool:
    """True when ``uri`` parses as an RFC 6570 template."""
    return uritemplate.is_valid(uri)


@check("RES-01", "resources", "resource definition shape", scope="resource")
def resource_shape(ctx: CheckContext, resource: dict[str, Any]) -> None:
    problems = shape_problems("Resource", resource)
    if problems:
        raise ctx.violation("RES-01", "uri and name strings, well-typed optional fields", "; ".join(problems), sent={"method": "resources/list"})


@check("RES-02", "resources", "resources/read returns contents", scope="resource")
def read_resource(ctx: CheckContext, resource: dict[str, Any]) -> None:
    wire = ctx.wire()
    reply = wire.request("resources/read", {"uri": resource.get("uri")})
    if not reply.ok or not isinstance(reply.result, dict):
        raise ctx.violation("RES-02", "a read result for a listed resource", show(reply.response), wire=wire, sent=reply.request)
    contents = reply.result.get("contents")
    if not isinstance(contents, list) or not contents:
        raise ctx.violation("RES-02", "a non-empty contents array", show(reply.result), wire=wire, sent=reply.request)
    problems = [p for i, item in enumerate(contents) for p in resource_contents_problems(item, f"contents[{i}]")]
    if problems:
        raise ctx.violation("RES-02", "contents items with uri and text or base64 blob", "; ".join(problems[:3]), wire=wire, sent=reply.request)


@check("RES-03", "resources", "unknown resources are an error")
def unknown_resource(ctx: CheckContext) -> None:
    ctx.require("resources")
    wire = ctx.wire()
    reply = wire.request("resources/read", {"uri": UNKNOWN_URI})
    if reply.error_code not in (-32002, -32602):
        raise ctx.violation("RES-03", "error -32002 (Resource not found) or -32602", show(reply.response), wire=wire, sent=reply.request)


@check("RES-04", "resources", "resource templates are valid", scope="template")
def template_valid(ctx: CheckContext, template: dict[str, Any]) -> None:
    problems = shape_problems("ResourceTemplate", template)
    uri = template.get("uriTemplate")
    if isinstance(uri, str):
        try:
            uritemplate.variables(uri)
        except uritemplate.TemplateError as exc:
            problems.append(f"uriTemplate {uri!r} is not a valid RFC 6570 template: {exc}")
    if problems:
        raise ctx.violation("RES-04", "a name and a valid RFC 6570 uriTemplate", "; ".join(problems), sent={"method": "resources/templates/list"})


@check("RES-05", "resources", "subscribe/unsubscribe work when declared")
def subscribe(ctx: CheckContext) -> None:
    resources = ctx.surface.capabilities.get("resources")
    if not (isinstance(resources, dict) and resources.get("subscribe") is True):
        raise NotApplicable("the server does not declare resources.subscribe")
    listed = ctx.surface.items("resources")
    if not listed:
        raise NotApplicable("no listed resource to subscribe to")
    wire = ctx.wire()
    for method in ("resources/subscribe", "resources/unsubscribe"):
        reply = wire.request(method, {"uri": listed[0].get("uri")})
        if not reply.ok:
            raise ctx.violation("RES-05", f"an empty result for {method}", show(reply.response), wire=wire, sent=reply.request)
