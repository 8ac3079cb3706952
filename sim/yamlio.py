"""Safe YAML loading and pydantic error messages that name the file, the line and the field.

The loader is PyYAML's SafeLoader (no tags execute) with three additions: a key given twice in one mapping is
refused (naming both lines) instead of the last one silently winning; nesting deeper than ``MAX_NESTING`` is
refused; and anchors/aliases may not expand the document past ``MAX_YAML_NODES`` nodes (no "billion laughs").
Files larger than ``MAX_FILE_BYTES``, files that are not regular files and unreadable paths (missing, a folder,
a symlink loop, no permission) are refused with one line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import FieldError, ScenarioError
from .limits import MAX_FILE_BYTES, MAX_NESTING

__all__ = ["read_yaml", "read_text_file", "line_of", "format_validation_error", "validate_yaml", "load_yaml_text",
           "StrictLoader", "MAX_YAML_NODES"]

#: Nodes a document may have once aliases are expanded.
MAX_YAML_NODES = 200_000


class StrictLoader(yaml.SafeLoader):
    """SafeLoader refusing duplicate keys, deep nesting and alias bombs."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}

    def _size(self, node) -> int:
        key = id(node)
        if key not in self._sizes:
            self._sizes[key] = 0  # recursive aliases: count once
            if isinstance(node, yaml.MappingNode):
                n = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            elif isinstance(node, yaml.SequenceNode):
                n = 1 + sum(self._size(v) for v in node.value)
            else:
                n = 1
            self._sizes[key] = n
        return self._sizes[key]

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            self._nodes += self._size(node)
            if self._nodes > MAX_YAML_NODES:
                raise yaml.composer.ComposerError(None, None, f"aliases expand the document past {MAX_YAML_NODES:,} "
                                                  "values", event.start_mark)
            return node
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_NESTING:
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_NESTING} levels", event.start_mark)
        if self._nodes > MAX_YAML_NODES:
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"more than {MAX_YAML_NODES:,} values", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # unhashable: the base class reports it
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key}' (first given on line {first.line + 1}); "
                        "each key may appear once", key_node.start_mark)
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def read_text_file(path: Path, max_bytes: int = MAX_FILE_BYTES, error=ScenarioError, what: str = "file") -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes``; ``error`` (one line naming the file) otherwise."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise error(f"{path}: is a directory, expected a {what}")
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{path}: not a regular file, expected a {what}")
        if st.st_size > max_bytes:
            raise error(f"{path}: {st.st_size:,} bytes; allowed: at most {max_bytes:,} bytes")
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise error(f"{path}: larger than {max_bytes:,} bytes; allowed: at most {max_bytes:,} bytes")
    if b"\x00" in raw:
        raise error(f"{path}: binary data (NUL bytes); expected a UTF-8 text {what}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None


def load_yaml_text(text: str, path: Path | str, error=ScenarioError) -> Any:
    """Parse YAML ``text`` with the StrictLoader; errors name the file, line and column."""
    try:
        loader = StrictLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}:{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise error(f"{path}: not valid YAML: nested too deeply; allowed: {MAX_NESTING} levels") from None


def read_yaml(path: Path) -> tuple[Any, str]:
    """Read and parse ``path``; return the data and the text. Errors name the file and line."""
    text = read_text_file(Path(path), what="YAML file")
    return load_yaml_text(text, path), text


def line_of(text: str, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (keys and list indexes), or of its nearest parent."""
    try:
        node = yaml.compose(text, Loader=StrictLoader)
    except (yaml.YAMLError, RecursionError):
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


def error_loc(err: Any, prefix: tuple = ()) -> tuple:
    """The location of one pydantic error: its own, extended by a FieldError's field."""
    loc = prefix + tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        loc = loc + cause.loc
    return loc


def format_validation_error(path: Path, text: str, exc: ValidationError, prefix: tuple = (),
                            names: dict | None = None) -> str:
    """One line per problem: 'file:line: field a.b.c: message'. ``names`` maps a location prefix to a function
    that rewrites it (e.g. a calibration list index to the item's id)."""
    lines = []
    for err in exc.errors():
        loc = error_loc(err, prefix)
        field = ".".join(str(x) for x in loc) or "(top level)"
        line = line_of(text, loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "finite_number":
            msg = "must be a finite number (not .inf or .nan)"
        where = f"{path}:{line}" if line else f"{path}"
        lines.append(f"{where}: field '{field}': {msg}")
    return "\n".join(dict.fromkeys(lines))


def validate_yaml(model: type[BaseModel], path: Path) -> BaseModel:
    """Load ``path`` and validate it as ``model``; ScenarioError lists every problem with file, line, field."""
    data, text = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of fields at the top level, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(path, text, exc)) from None
    except RecursionError:
        raise ScenarioError(f"{path}: nested too deeply; allowed: {MAX_NESTING} levels") from None
