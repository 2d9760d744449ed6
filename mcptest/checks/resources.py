"""Resource checks (RES-*): listing shape, reads, unknown URIs, templates, subscriptions."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any


from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable
from mcptest.spec import uritemplate
from mcptest.spec.shapes import resource_contents_problems, shape_problems
from mcptest.wire import Reply, RequestTimeout

UNKNOWN_URI = "mcptest://no-such-resource/probe"


def valid_template(uri: str) -> bool:
    """True when ``uri`` parses as an RFC 6570 template."""
    return uritemplate.is_valid(uri)


@check("RES-01", "resources", "resource definition shape", scope="resource")
def resource_shape(ctx: CheckContext, resource: dict[str, Any]) -> None:
    problems = shape_problems("Resource", resource)
    if problems:
        raise ctx.violation("RES-01", "uri and name strings, well-typed optional fields", "; ".join(problems),
                            sent={"method": "resources/list"})


def _read(ctx: CheckContext, uri: Any) -> Reply:
    """``resources/read`` of a listed resource, once per version (RES-02 and RES-08 judge the same read)."""
    return ctx.memo(("read", str(uri)), lambda: ctx.wire().request("resources/read", {"uri": uri}))


@check("RES-08", "resources", "listed resources can be read", scope="resource")
def listed_resource_readable(ctx: CheckContext, resource: dict[str, Any]) -> None:
    reply = _read(ctx, resource.get("uri"))
    if not reply.ok or not isinstance(reply.result, dict):
        raise ctx.violation("RES-08", "a read result for a resource the server listed", show(reply.response),
                            wire=ctx.wire(), sent=reply.request)


@check("RES-02", "resources", "resources/read returns well-formed contents", scope="resource")
def read_resource(ctx: CheckContext, resource: dict[str, Any]) -> None:
    try:
        reply = _read(ctx, resource.get("uri"))
    except RequestTimeout:
        raise NotApplicable("the read went unanswered, so there are no contents to judge (RES-08 reports it)") from None
    if not reply.ok or not isinstance(reply.result, dict):
        raise NotApplicable(f"the read failed, so there are no contents to judge (RES-08 reports it): "
                            f"{show(reply.response, 200)}")
    contents = reply.result.get("contents")
    if not isinstance(contents, list):
        raise ctx.violation("RES-02", "a contents array", show(reply.result), wire=ctx.wire(), sent=reply.request)
    if not contents:
        raise NotApplicable("the resource read as an empty contents array (allowed for a resource that exists)")
    problems = [p for i, item in enumerate(contents) for p in resource_contents_problems(item, f"contents[{i}]")]
    if problems:
        raise ctx.violation("RES-02", "contents items with uri and text or base64 blob", "; ".join(problems[:3]),
                            wire=ctx.wire(), sent=reply.request)


@check("RES-03", "resources", "unknown resources are an error")
def unknown_resource(ctx: CheckContext) -> None:
    ctx.require("resources")
    wire = ctx.wire()
    reply = wire.request("resources/read", {"uri": UNKNOWN_URI})
    if reply.error_code not in (-32002, -32602):
        raise ctx.violation("RES-03", "error -32002 (Resource not found) or -32602", show(reply.response), wire=wire,
                            sent=reply.request)


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
        raise ctx.violation("RES-04", "a name and a valid RFC 6570 uriTemplate", "; ".join(problems),
                            sent={"method": "resources/templates/list"})


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
            raise ctx.violation("RES-05", f"an empty result for {method}", show(reply.response), wire=wire,
                                sent=reply.request)


ESCAPES = ("../" * 12 + "etc/passwd", "..%2f" * 12 + "etc%2fpasswd", "%2e%2e/" * 12 + "etc/passwd")
"""Relative paths that climb to /etc/passwd from any depth: literal, with encoded slashes, with encoded dots."""
LEAKED = re.compile(r"^root:[^:\n]*:0:0:", re.MULTILINE)
"""The first line of /etc/passwd: the sign that an escaping URI was served from outside the server's resources."""
_EXPRESSION = re.compile(r"\{([+#]?)([A-Za-z0-9_.%,:*]+)\}")


def escaping_uris(templates: list[dict[str, Any]], resources: list[dict[str, Any]]) -> list[str]:
    """URIs built to escape: each template's variables filled with a climbing path, each file: resource extended."""
    uris: list[str] = []
    for template in templates:
        uri = template.get("uriTemplate")
        if not isinstance(uri, str) or not valid_template(uri) or not _EXPRESSION.search(uri):
            continue
        for escape in ESCAPES:
            uris.append(_EXPRESSION.sub(lambda m: escape, uri))
    for resource in resources:
        uri = resource.get("uri")
        if isinstance(uri, str) and uri.startswith("file:"):
            uris.append(uri.rstrip("/") + "/" + ESCAPES[0])
    return uris


def _text_of(item: Any) -> str:
    """The text of a contents item, its blob decoded when it is base64 (empty when neither)."""
    if not isinstance(item, dict):
        return ""
    if isinstance(item.get("text"), str):
        return item["text"]
    blob = item.get("blob")
    try:
        return base64.b64decode(blob, validate=True).decode("utf-8", "replace") if isinstance(blob, str) else ""
    except (binascii.Error, ValueError):
        return ""


@check("RES-07", "resources", "resource URIs that escape are not served")
def escaping_uri_refused(ctx: CheckContext) -> None:
    ctx.require("resources")
    uris = escaping_uris(ctx.surface.items("templates"), ctx.surface.items("resources"))
    if not uris:
        raise NotApplicable("no resource template with a variable and no file: resource to build an escaping URI from")
    wire = ctx.wire()
    for uri in uris:
        reply = wire.request("resources/read", {"uri": uri})
        contents = reply.result.get("contents") if reply.ok and isinstance(reply.result, dict) else None
        items = contents if isinstance(contents, list) else []
        if any(LEAKED.search(_text_of(item)) for item in items):
            raise ctx.violation("RES-07", "the escaping URI refused (an error) or kept inside the server's resources",
                                f"{uri!r} was served with the contents of /etc/passwd", wire=wire, sent=reply.request)
