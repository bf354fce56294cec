"""settings.py — every experiment setting as a command-line flag, made from the config dataclasses.

Each field of an experiment's config (experiments.Internalization, Generalization, …) becomes
`--<experiment>.<field> VALUE`, nested configs with dots (`--helping.agent.lr 0.2`,
`--generalization.isr.updates 500`); the help text is the comment written beside the field
in its dataclass. A value is read by the type of the field's default (numbers, text, true /
false, `none` where the field may be None, several values for a tuple). An experiment with a
`source` field (one that continues the learners of `internalization` or `generalization`, or
repeats `internalization`'s protocol) takes its source's settings from that experiment's
flags (figures.SOURCES), so the two cannot disagree.

Public names: add_flags, changes, apply.
"""
import argparse
import dataclasses
import inspect
import re
import typing

SKIPPED = ("source",)            # set through the source experiment's own flags (figures.SOURCES)
_COMMENT = re.compile(r"^\s+(\w+)\s*:[^#=]*=.*?#\s?(.*)$")


def add_flags(parser, configs):
    """Add a flag per field of each config class of `configs` {experiment: class} to an
    argparse parser, in a group per experiment."""
    for experiment, cls in configs.items():
        group = parser.add_argument_group(f"{experiment} settings ({cls.__name__})")
        for path, default, help_text, annotation in _fields(cls(), cls):
            kind, nargs = _reader(default, annotation)
            group.add_argument(f"--{experiment}.{path}", dest=f"setting:{experiment}:{path}", type=kind,
                               nargs=nargs, default=argparse.SUPPRESS, metavar="V",
                               help=f"{help_text} (default: {_shown(default)})".replace("%", "%%"))


def changes(args):
    """{experiment: {dotted field: value}} of the flags given on the command line."""
    out = {}
    for dest, value in vars(args).items():
        if dest.startswith("setting:"):                    # present only when given
            _, experiment, path = dest.split(":")
            out.setdefault(experiment, {})[path] = tuple(value) if isinstance(value, list) else value
    return out


def apply(cfg, changed):
    """The config with the dotted fields of `changed` {path: value} replaced (nested with
    dataclasses.replace); a ValueError names a field it does not have."""
    for path, value in changed.items():
        cfg = _replace(cfg, path.split("."), value)
    return cfg


def _replace(cfg, names, value):
    if not dataclasses.is_dataclass(cfg) or names[0] not in {f.name for f in dataclasses.fields(cfg)}:
        raise ValueError(f"{type(cfg).__name__} has no setting {'.'.join(names)}")
    if len(names) == 1:
        return dataclasses.replace(cfg, **{names[0]: value})
    return dataclasses.replace(cfg, **{names[0]: _replace(getattr(cfg, names[0]), names[1:], value)})


def _fields(cfg, cls, prefix=""):
    """(dotted path, default, help, annotation) of every settable field, nested configs flattened."""
    comments = _comments(cls)
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cfg):
        if field.name in SKIPPED:
            continue
        default = getattr(cfg, field.name)
        if dataclasses.is_dataclass(default):
            yield from _fields(default, type(default), f"{prefix}{field.name}.")
        else:
            yield f"{prefix}{field.name}", default, comments.get(field.name, field.name), hints[field.name]


def _comments(cls):
    """{field: the comment beside it} from the class's source, continuation lines joined."""
    out, last = {}, None
    for line in inspect.getsource(cls).splitlines():
        match = _COMMENT.match(line)
        if match:
            last = match.group(1)
            out[last] = match.group(2).strip()
        elif last and line.strip().startswith("#"):
            out[last] += " " + line.strip().lstrip("#").strip()
        else:
            last = None
    return out


def _reader(default, annotation):
    """(argparse type, nargs) for a field with this default and annotation."""
    optional = type(None) in typing.get_args(annotation)
    if isinstance(default, tuple):
        element = type(default[0]) if default else str
        return _scalar(element, False), "+"
    if default is None:
        non_none = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _scalar(non_none[0] if non_none else str, True), None
    return _scalar(type(default), optional), None


def _scalar(kind, optional):
    def read(text):
        if optional and text.lower() == "none":
            return None
        if kind is bool:
            if text.lower() not in ("true", "false"):
                raise ValueError(f"expected true or false, got {text!r}")
            return text.lower() == "true"
        return kind(text)
    read.__name__ = kind.__name__ + (" or none" if optional else "")
    return read


def _shown(default):
    if isinstance(default, tuple):
        return " ".join(str(v) for v in default) if len(default) < 8 else f"{len(default)} values"
    return str(default)
