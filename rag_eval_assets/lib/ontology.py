"""The ontology: document classes and metadata fields as trees, read from YAML.

A predicate value admits a document value when it is the same node or one of its ancestors
(a filter on ``en`` admits ``en-GB``). Flat fields compare by equality, bool fields by truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rag_eval_assets.lib import statcache

DEFAULT_ONTOLOGY_PATH = Path(__file__).resolve().parents[2] / "ontology" / "ontology.yaml"
DOC_CLASS = "doc_class"  # the one field with a meaning of its own: per-class scorecards and routes


class OntologyError(ValueError):
    """The ontology file, or a value checked against it, is invalid."""


@dataclass(frozen=True)
class Tree:
    """A rooted hierarchy of node names (forest allowed: several top-level nodes)."""

    parents: Mapping[str, str | None]

    @classmethod
    def from_nested(cls, nested: Mapping[str, Any] | None) -> "Tree":
        parents: dict[str, str | None] = {}

        def walk(children: Mapping[str, Any] | None, parent: str | None) -> None:
            for name, sub in (children or {}).items():
                name = str(name)
                if name in parents:
                    raise OntologyError(f"node {name!r} appears twice in the tree")
                parents[name] = parent
                walk(sub, name)

        walk(nested, None)
        return cls(parents)

    def __contains__(self, node: object) -> bool:
        return node in self.parents

    def ancestors(self, node: str, include_self: bool = True) -> list[str]:
        """Path from ``node`` up to its root (``node`` first when ``include_self``)."""
        if node not in self.parents:
            raise OntologyError(f"unknown node {node!r}")
        path = [node] if include_self else []
        parent = self.parents[node]
        while parent is not None:
            path.append(parent)
            parent = self.parents[parent]
        return path

    def depth(self, node: str) -> int:
        """Number of nodes on the path from the root to ``node`` (a root has depth 1)."""
        return len(self.ancestors(node))

    def children(self, node: str) -> list[str]:
        return [n for n, p in self.parents.items() if p == node]

    def descendants(self, node: str, include_self: bool = True) -> set[str]:
        out = {node} if include_self else set()
        stack = self.children(node)
        while stack:
            n = stack.pop()
            out.add(n)
            stack.extend(self.children(n))
        return out

    def leaves(self) -> list[str]:
        with_children = {p for p in self.parents.values() if p is not None}
        return [n for n in self.parents if n not in with_children]

    def admits(self, filter_value: str, value: str) -> bool:
        """True when ``value`` is ``filter_value`` or one of its descendants."""
        return value in self.parents and filter_value in self.ancestors(value)


@dataclass(frozen=True)
class Field:
    """One metadata field: a tree, a flat value list, or a bool."""

    name: str
    description: str = ""
    tree: Tree | None = None
    values: tuple[str, ...] = ()
    is_bool: bool = False
    required: bool = False  # every metadata row must carry it (``required: true`` in the YAML)

    def validate(self, value: Any) -> str | None:
        """Return an error message when ``value`` is not allowed for this field, else None."""
        if self.is_bool:
            return None if isinstance(value, bool) else f"{self.name}: expected true/false, got {value!r}"
        if self.tree is not None:
            return None if value in self.tree else f"{self.name}: {value!r} is not a node of the tree"
        return None if value in self.values else f"{self.name}: {value!r} not in {list(self.values)}"

    def admits(self, filter_value: Any, value: Any) -> bool:
        """Hierarchy-aware match of one predicate value against one document value."""
        if self.is_bool:
            return bool(filter_value) == bool(value)
        if self.tree is not None:
            return self.tree.admits(str(filter_value), str(value))
        return filter_value == value


@dataclass(frozen=True)
class Ontology:
    fields: Mapping[str, Field] = field(default_factory=dict)
    digest: str = ""  # changes when the ontology does (part of the records' version)

    @property
    def required(self) -> list[str]:
        return [n for n, f in self.fields.items() if f.required]

    @classmethod
    def load(cls, path: str | Path = DEFAULT_ONTOLOGY_PATH) -> "Ontology":
        """The ontology in ``path`` (parsed once per process while the file is unchanged)."""
        path = Path(path)
        return statcache.cached(path, ("ontology", cls), lambda: cls._load(path))

    @classmethod
    def _load(cls, path: Path) -> "Ontology":
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise OntologyError(f"{path}: cannot read ontology: {exc}") from exc
        if not isinstance(raw, dict):
            raise OntologyError(f"{path}: top level must be a mapping of field names")
        return cls.from_mapping(raw, str(path))

    @classmethod
    def from_mapping(cls, raw: Any, source: str = "ontology") -> "Ontology":
        """Build from the parsed YAML mapping (field name -> spec)."""
        if not isinstance(raw, dict) or not raw:
            raise OntologyError(f"{source}: top level must be a non-empty mapping of field names")
        fields: dict[str, Field] = {}
        for name, spec in raw.items():
            if not isinstance(spec, dict):
                raise OntologyError(f"{source}: field {name!r} must be a mapping")
            desc = str(spec.get("description", ""))
            required = spec.get("required", name == DOC_CLASS)
            if not isinstance(required, bool):
                raise OntologyError(f"{source}: field {name!r}: `required` must be true or false")
            if "tree" in spec:
                fields[name] = Field(name, desc, tree=Tree.from_nested(spec["tree"]), required=required)
            elif "values" in spec:
                fields[name] = Field(name, desc, values=tuple(str(v) for v in spec["values"] or ()), required=required)
            elif spec.get("type") == "bool":
                fields[name] = Field(name, desc, is_bool=True, required=required)
            else:
                raise OntologyError(f"{source}: field {name!r} needs `tree`, `values` or `type: bool`")
        return cls(fields, digest=hashlib.sha256(repr(sorted(raw.items(), key=str)).encode()).hexdigest()[:16])

    def tree(self, field_name: str) -> Tree:
        f = self.fields[field_name]
        if f.tree is None:
            raise OntologyError(f"field {field_name!r} is not a tree")
        return f.tree

    @property
    def doc_classes(self) -> list[str]:
        """Leaf document classes (the classes documents are labelled with); [] without a
        ``doc_class`` field."""
        if DOC_CLASS not in self.fields:
            return []
        f = self.fields[DOC_CLASS]
        return f.tree.leaves() if f.tree is not None else list(f.values)

    def validate_metadata(self, metadata: Mapping[str, Any]) -> list[str]:
        """Errors for missing required fields and out-of-ontology values of the fields present
        (empty list = valid). Keys that are not ontology fields are not judged here."""
        errors = []
        for name, f in self.fields.items():
            if metadata.get(name) is None:
                if f.required:
                    errors.append(f"{name}: missing (required by the ontology)")
                continue
            err = f.validate(metadata[name])
            if err:
                errors.append(err)
        return errors

    def field_values(self, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """The ontology fields of a metadata row (absent optional fields are left out)."""
        return {n: metadata[n] for n in self.fields if metadata.get(n) is not None}

    def matches(self, predicate: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
        """True when the document metadata satisfies every clause of the predicate.

        A predicate maps field -> value or list of values (any of them, hierarchy-aware).
        """
        for name, wanted in predicate.items():
            if name not in self.fields:
                raise OntologyError(f"predicate uses unknown field {name!r}")
            options = wanted if isinstance(wanted, list) else [wanted]
            if name not in metadata or not any(self.fields[name].admits(o, metadata[name]) for o in options):
                return False
        return True
