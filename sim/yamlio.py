"""Safe YAML loading and pydantic error messages that name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ScenarioError

__all__ = ["read_yaml", "line_of", "format_validation_error", "validate_yaml"]


def read_yaml(path: Path) -> tuple[Any, str]:
    """Parse ``path`` with ``yaml.safe_load``; return the data and the text. Errors name the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, expected a YAML file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}:{where}: not valid YAML: {problem}") from None
    return data, text


def line_of(text: str, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (keys and list indexes), or of its nearest parent."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == str(key):
                    nxt = (k, v)
                    break
            if nxt is None:
                break
            line = nxt[0].start_mark.line + 1
            node = nxt[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def format_validation_error(path: Path, text: str, exc: ValidationError, prefix: tuple = ()) -> str:
    """One line per problem: 'file:line: field a.b.c: message'."""
    lines = []
    for err in exc.errors():
        loc = prefix + tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        field = ".".join(str(x) for x in loc) or "(top level)"
        line = line_of(text, loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        where = f"{path}:{line}" if line else f"{path}"
        lines.append(f"{where}: field '{field}': {msg}")
    return "\n".join(lines)


def validate_yaml(model: type[BaseModel], path: Path) -> BaseModel:
    """Load ``path`` and validate it as ``model``; ScenarioError lists every problem with file, line, field."""
    data, text = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of fields at the top level, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(path, text, exc)) from None
