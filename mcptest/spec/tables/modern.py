"""The 2026-07-28 era (MOD-*): per-request _meta, server/discover, resultType, caching, MRTR, subscriptions."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import M

_INDEX = "basic"
_MRTR = "basic/patterns/mrtr"
_SUBS = "basic/patterns/subscriptions"

TABLE = (
    Requirement(
        "MOD-01",
        "MUST",
        M,
        "basic/versioning",
        "server/discover answers with supportedVersions, capabilities, resultType, ttlMs and cacheScope.",
        "Servers MUST implement `server/discover`.",
        section="Protocol Version Negotiation",
        schema=("DiscoverResult",),
    ),
    Requirement(
        "MOD-02",
        "MUST",
        M,
        _INDEX,
        "A request missing a required _meta field is rejected with Invalid params (-32602).",
        "A request missing any required field is malformed; the server MUST reject it with JSON-RPC error code "
        "`-32602` "
        "(Invalid params).",
        section="`_meta`",
    ),
    Requirement(
        "MOD-03",
        "MUST",
        M,
        "basic/versioning",
        "An unsupported protocol version gets UnsupportedProtocolVersionError (-32022) listing the supported ones.",
        "If the server does not implement the requested version (whether the version is unknown to the server, or is a "
        "known version the server has chosen not to support), it MUST respond with an "
        "`UnsupportedProtocolVersionError` "
        "listing the versions it does support:",
        section="Protocol Version Negotiation",
    ),
    Requirement(
        "MOD-04",
        "MUST",
        M,
        _INDEX,
        "Every result carries resultType.",
        "The `result` MUST include a `resultType` field to indicate the type of the result.",
        section="Result Responses",
    ),
    Requirement(
        "MOD-05",
        "MUST",
        M,
        "server/utilities/caching",
        "List results and resources/read carry ttlMs (an integer >= 0) and cacheScope (public or private).",
        'Servers MUST include caching hints on results with `resultType: "complete"` returned by the following '
        "operations:",
        section="Cacheable Results",
        schema=("CacheableResult",),
    ),
    Requirement(
        "MOD-06",
        "SHOULD",
        M,
        _INDEX,
        "Every result's _meta names the server (io.modelcontextprotocol/serverInfo).",
        "Servers SHOULD include the following `io.modelcontextprotocol/*` field in every result's `_meta`, unless "
        "specifically configured not to do so, to identify themselves without relying on any prior connection state:",
        section="`_meta`",
    ),
    Requirement(
        "MOD-07",
        "SHOULD",
        M,
        "schema",
        "Methods 2026-07-28 removed (ping, logging/setLevel, resources/subscribe, ...) get Method not found (-32601).",
        "In MCP, a server returns this error when a client invokes a method the server does not implement — either a "
        "genuinely unknown method, or one gated behind a server capability the server did not advertise (e.g., calling "
        "`prompts/list` when the `prompts` capability was not advertised).",
        section="MethodNotFoundError",
        source="schema",
        schema=("MethodNotFoundError",),
        note="The schema describes the code without a keyword; over Streamable HTTP MHTTP-05 is the MUST.",
    ),
    Requirement(
        "MOD-08",
        "MUST",
        M,
        "server/utilities/logging",
        "No notifications/message for a request that did not ask for logs with io.modelcontextprotocol/logLevel.",
        "The server MUST NOT emit `notifications/message` for a request that does not include this field.",
        section="Per-request log level",
    ),
    Requirement(
        "MOD-20",
        "MAY",
        M,
        "server/utilities/logging",
        "With io.modelcontextprotocol/logLevel, log messages come at or above that level only.",
        "When the field is present, the server MAY send `notifications/message` notifications at or above the "
        "requested "
        "level on the response stream of that request, before the final response.",
        section="Per-request log level",
        note="The spec permits messages at or above the level and says nothing stronger about lower ones.",
    ),
    Requirement(
        "MOD-09",
        "MUST",
        M,
        _MRTR,
        "The server never sends a JSON-RPC request; it asks for input with InputRequiredResult.",
        "Servers MUST send server-to-client requests (such as `roots/list`, `sampling/createMessage`, or "
        "`elicitation/create`) using the MRTR pattern.",
    ),
    Requirement(
        "MOD-10",
        "MUST",
        M,
        _MRTR,
        "An InputRequiredResult carries inputRequests or requestState.",
        "Servers MUST include at least one of `inputRequests` or `requestState` in every `InputRequiredResult` "
        "response.",
        section="Server Requirements (Basic Workflow)",
        schema=("InputRequiredResult",),
    ),
    Requirement(
        "MOD-21",
        "MUST",
        M,
        _MRTR,
        "InputRequiredResult only answers tools/call, prompts/get and resources/read.",
        "Servers MUST NOT send `InputRequiredResult` responses on any other client requests.",
        section="Supported Requests",
    ),
    Requirement(
        "MOD-22",
        "MUST",
        M,
        _MRTR,
        "No input request for a capability the request's clientCapabilities lack.",
        "Servers MUST NOT send an `inputRequests` that the client has not declared support for in its capabilities.",
        section="Server Requirements (Basic Workflow)",
    ),
    Requirement(
        "MOD-23",
        "MUST",
        M,
        _INDEX,
        "A request that needs an undeclared client capability gets MissingRequiredClientCapabilityError (-32021).",
        "If processing a request requires a capability the client did not include in "
        "`io.modelcontextprotocol/clientCapabilities`, the server MUST return a `MissingRequiredClientCapabilityError` "
        "(`-32021`) whose `data.requiredCapabilities` lists the missing capabilities.",
        section="`_meta`",
    ),
    Requirement(
        "MOD-11",
        "MUST",
        M,
        _MRTR,
        "A tampered requestState is rejected, not acted on.",
        "If `requestState` influences authorization, resource access, or business logic, servers MUST protect its "
        "integrity (e.g. HMAC or AEAD) and MUST reject state that fails verification.",
        section="Server Requirements (Basic Workflow)",
        note="Conditional: integrity protection may be omitted when tampering can cause nothing worse than request "
        "failure, so only an accepted tampered state that changes the outcome is a finding.",
    ),
    Requirement(
        "MOD-12",
        "MUST",
        M,
        _INDEX,
        "Each request is served on its own envelope: no context from earlier requests.",
        "Servers MUST NOT rely on prior requests over the same connection to establish context (e.g., capabilities, "
        "protocol version, client identity).",
        section="Statelessness",
    ),
    Requirement(
        "MOD-13",
        "MUST",
        M,
        _SUBS,
        "subscriptions/listen is acknowledged before any notification on it.",
        "The server MUST send `notifications/subscriptions/acknowledged` as the first message carrying the "
        "subscription's "
        "ID in `_meta` under `io.modelcontextprotocol/subscriptionId`, and MUST NOT send any notification on the "
        "subscription before it.",
        section="Acknowledgment",
    ),
    Requirement(
        "MOD-24",
        "MUST",
        M,
        _SUBS,
        "A listen stream carries only the notification types the client asked for.",
        "The server MUST NOT send notification types the client has not explicitly requested.",
        section="Opening a Stream",
    ),
    Requirement(
        "MOD-25",
        "MUST",
        M,
        _INDEX,
        "Every notification on a listen stream carries io.modelcontextprotocol/subscriptionId.",
        "On notifications delivered via a `subscriptions/listen` stream, the server MUST include "
        "`io.modelcontextprotocol/subscriptionId` in `_meta` so the client can correlate the notification with the "
        "originating subscription request.",
        section="`_meta`",
    ),
    Requirement(
        "MOD-14",
        "MUST",
        M,
        "basic/patterns/cancellation",
        "The server sends notifications/cancelled only to end a subscriptions/listen stream.",
        "Servers MUST NOT send `notifications/cancelled` for any other purpose.",
    ),
    Requirement(
        "MOD-15",
        "MUST",
        M,
        "basic/transports/stdio",
        "After notifications/cancelled, nothing more is sent for that request.",
        "Servers SHOULD stop work on a cancelled request as soon as practical and MUST NOT send any further messages "
        "for it.",
        section="Cancellation",
        transports=("stdio",),
    ),
    Requirement(
        "MOD-16",
        "MUST",
        M,
        "server/resources",
        "Reading an unknown resource gets Invalid params (-32602).",
        "If the requested resource does not exist, servers MUST return a JSON-RPC error with code `-32602` (Invalid "
        "Params).",
        section="Error Handling",
    ),
    Requirement(
        "MOD-17",
        "MUST",
        M,
        "basic/versioning",
        "capabilities.extensions keys follow the _meta naming rules with a prefix.",
        "Extension identifiers MUST follow the `_meta` key naming rules, with a mandatory prefix.",
        section="Extension Negotiation",
        binds="both",
    ),
    Requirement(
        "MOD-18",
        "SHOULD",
        M,
        "server/tools",
        "tools/list returns tools in the same order every time.",
        "Servers SHOULD return tools in a deterministic order (i.e., the same ordering across requests when the "
        "underlying "
        "set of tools has not changed).",
        section="Capabilities",
    ),
    Requirement(
        "MOD-19",
        "SHOULD",
        M,
        "basic/versioning",
        "A modern-only server's error to initialize names the versions it supports.",
        "A server that supports only modern versions SHOULD name the protocol versions it supports in any error it "
        "returns "
        "to an `initialize` request, on any transport: legacy clients have no fall-forward mechanism, and this message "
        "may "
        "be the only diagnostic they can surface to users.",
        section="Backward Compatibility with Initialization-Based Versions",
    ),
    Requirement(
        "MOD-26",
        "MUST",
        M,
        "server/tools",
        "A declared tools, resources or prompts capability is served: its list method answers.",
        "Servers that declare the `tools` capability MUST respond to `tools/list` requests with the set of tools "
        "currently "
        "available to the requesting client.",
        section="Capabilities",
        note="server/resources and server/prompts say the same of resources/list and prompts/list.",
    ),
)
"""The MOD-* requirements (2026-07-28 only)."""
