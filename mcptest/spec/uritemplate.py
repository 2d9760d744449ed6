"""RFC 6570 URI Templates, as far as a conformance check needs them:
is a template well formed, what are its variables."""

from __future__ import annotations

import re

OPERATORS = "+#./;?&"
RESERVED_OPERATORS = "=,!@|"
"""Operators RFC 6570 reserves for future extensions: a template using them is not a valid Level 1-4 template."""
_VARNAME = re.compile(r"^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$")
_PREFIX = re.compile(r"^[1-9][0-9]{0,3}$")
_LITERAL_BAD = set(" \"'<>\\^`{|}") | {chr(c) for c in range(0x20)} | {"\x7f"}


class TemplateError(ValueError):
    """The template is not a valid RFC 6570 template; the message says where."""


def variables(template: str) -> list[str]:
    """The variable names of ``template``, in order.

    Raises:
        TemplateError: the template is malformed (an unclosed brace, an empty or invalid expression, a bad
            literal character, a reserved operator, a bad ``:prefix`` or ``*`` modifier).
    """
    names: list[str] = []
    position = 0
    while position < len(template):
        char = template[position]
        if char == "}":
            raise TemplateError(f"'}}' at {position} closes no expression")
        if char != "{":
            if char in _LITERAL_BAD:
                raise TemplateError(f"character {char!r} at {position} is not allowed outside an expression")
            position += 1
            continue
        end = template.find("}", position)
        if end < 0:
            raise TemplateError(f"the expression opened at {position} is never closed")
        names += _expression(template[position + 1:end], position)
        position = end + 1
    return names


def _expression(body: str, at: int) -> list[str]:
    if not body:
        raise TemplateError(f"empty expression at {at}")
    if body[0] in RESERVED_OPERATORS:
        raise TemplateError(f"operator {body[0]!r} at {at} is reserved by RFC 6570")
    if body[0] in OPERATORS:
        body = body[1:]
    names = []
    for spec in body.split(","):
        name, colon, prefix = spec.partition(":")
        if colon and not _PREFIX.match(prefix):
            raise TemplateError(f"prefix modifier {prefix!r} of {name!r} at {at} is not 1-9999")
        if not colon and name.endswith("*"):
            name = name[:-1]
        if not _VARNAME.match(name):
            raise TemplateError(f"{spec!r} at {at} is not a valid variable name")
        names.append(name)
    return names


def is_valid(template: str) -> bool:
    """True when ``template`` is a well-formed RFC 6570 template."""
    try:
        variables(template)
    except TemplateError:
        return False
    return True
