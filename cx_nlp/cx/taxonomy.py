"""The CX taxonomy: journey stages and the touchpoints that findings are mapped to.

The default taxonomy ships with the package (``taxonomy.yaml`` next to this module); users pass their own
YAML file of the same shape. Only ``id`` and one of ``description`` / ``examples`` are required per
touchpoint, everything else is optional::

    name: my_shop
    touchpoints:
      - id: delivery
        description: Delivery and shipping, couriers, late or damaged parcels.
      - id: staff
        examples: {en: ["The cashier was rude."], ro: ["Casiera a fost nepoliticoasă."]}

Files are read with ``yaml.safe_load`` only. A file whose content is invalid raises
``CxError("E601", ...)`` whose message names the offending field; a file that cannot be read at all
raises ``CxError("E401", ...)``.

``keywords`` are lowercase cue words or word stems per language (a lexical prior), meant to be matched at
the start of a word, so that ``"livr"`` covers *livrare*, *livrat*, *livrarea*.

``polarity_cues`` name, per side and language, the words that settle which way a touchpoint's sentiment
goes where the encoder cannot tell ("prices are low" sits at cosine 0.93 to "prices are high")::

    polarity_cues:
      positive: {en: [cheap, "prices are low"], ru: ["дешев*"]}
      negative: {en: [expensive, overpriced]}

A cue is a whole word or phrase, or a stem where it ends in ``*``; a negation just before it ("not
cheap", "nu e scump") turns it to the other side (``cx_nlp.text.cues``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import yaml

from cx_nlp.errors import CxError

CLUES = ("functional", "mechanical", "humanic")
CHANNEL_MODES = ("digital", "human", "mixed")
CHANNEL_CONTACTS = ("direct", "indirect")

_TOP_KEYS = {"name", "version", "stages", "touchpoints"}
_STAGE_KEYS = {"id", "description"}
_TOUCHPOINT_KEYS = {"id", "label", "description", "stage", "channel", "clue", "examples", "keywords",
                    "polarity_cues"}
_CUE_SIDES = ("positive", "negative")
_CHANNEL_KEYS = {"mode", "contact"}
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_DEFAULT_FILE = "taxonomy.yaml"


@dataclass(frozen=True)
class Stage:
    id: str
    description: str = ""


@dataclass(frozen=True)
class Touchpoint:
    id: str
    label: str
    description: str | None = None
    stage: str | None = None
    channel_mode: str | None = None
    channel_contact: str | None = None
    clue: str | None = None
    examples: dict[str, list[str]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    polarity_cues: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # side -> language -> cues

    def to_dict(self) -> dict[str, Any]:
        """The YAML shape of this touchpoint; optional fields that are unset are left out."""
        out: dict[str, Any] = {"id": self.id, "label": self.label}
        if self.description is not None:
            out["description"] = self.description
        if self.stage is not None:
            out["stage"] = self.stage
        channel = {k: v for k, v in (("mode", self.channel_mode), ("contact", self.channel_contact)) if v}
        if channel:
            out["channel"] = channel
        if self.clue is not None:
            out["clue"] = self.clue
        if self.examples:
            out["examples"] = {lang: list(v) for lang, v in self.examples.items()}
        if self.keywords:
            out["keywords"] = {lang: list(v) for lang, v in self.keywords.items()}
        if self.polarity_cues:
            out["polarity_cues"] = {side: {lang: list(v) for lang, v in by_lang.items()}
                                    for side, by_lang in self.polarity_cues.items()}
        return out


@dataclass(frozen=True)
class Taxonomy:
    name: str
    version: str
    stages: tuple[Stage, ...]
    touchpoints: tuple[Touchpoint, ...]

    # -- access -------------------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """Touchpoint ids, in file order."""
        return [t.id for t in self.touchpoints]

    @property
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    @property
    def languages(self) -> list[str]:
        """Languages that have examples in at least one touchpoint (sorted)."""
        return sorted({lang for t in self.touchpoints for lang in t.examples})

    def get(self, id: str, default: Touchpoint | None = None) -> Touchpoint | None:
        """The touchpoint with this id, or ``default`` (None) when there is none."""
        for t in self.touchpoints:
            if t.id == id:
                return t
        return default

    def stage(self, id: str) -> Stage | None:
        for s in self.stages:
            if s.id == id:
                return s
        return None

    def __len__(self) -> int:
        return len(self.touchpoints)

    def __iter__(self) -> Iterator[Touchpoint]:
        return iter(self.touchpoints)

    def __contains__(self, id: object) -> bool:
        return any(t.id == id for t in self.touchpoints)

    # -- I/O ------------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> "Taxonomy":
        """Load and validate a taxonomy YAML file; ``None`` loads the default bundled with cx_nlp."""
        if path is None:
            text = _default_text()
            source = f"<bundled {_DEFAULT_FILE}>"
        else:
            p = Path(path).expanduser()
            source = str(p)
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise CxError("E401", f"Cannot read the taxonomy file {source}: {e}") from e
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise CxError("E601", f"{source}: not valid YAML: {e}") from e
        default_name = Path(source).stem if path is not None else "cx_default"
        return cls.from_dict(data, source=source, default_name=default_name)

    @classmethod
    def from_dict(cls, data: Any, source: str = "<dict>", default_name: str = "custom") -> "Taxonomy":
        """Validate an already-parsed mapping (the YAML shape) and build a Taxonomy."""
        return _parse(data, source, default_name)

    def without_polarity_cues(self) -> "Taxonomy":
        """The same taxonomy with no touchpoint ``polarity_cues``: what the heads alone read."""
        return replace(self, touchpoints=tuple(replace(t, polarity_cues={}) for t in self.touchpoints))

    def to_dict(self) -> dict[str, Any]:
        """The YAML shape: ``Taxonomy.from_dict(t.to_dict()) == t``."""
        return {
            "name": self.name,
            "version": self.version,
            "stages": [{"id": s.id, "description": s.description} for s in self.stages],
            "touchpoints": [t.to_dict() for t in self.touchpoints],
        }


# -- internals -----------------------------------------------------------------------------------

def _default_text() -> str:
    try:
        return resources.files("cx_nlp.cx").joinpath(_DEFAULT_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, AttributeError):  # pragma: no cover - odd installs
        return (Path(__file__).resolve().parent / _DEFAULT_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _default_stages() -> tuple[Stage, ...]:
    """Journey stages of the bundled taxonomy: used when a user file defines none."""
    data = yaml.safe_load(_default_text())
    return _parse_stages(data.get("stages"), f"<bundled {_DEFAULT_FILE}>")


def _fail(source: str, where: str, problem: str) -> CxError:
    return CxError("E601", f"{source}: {where}: {problem}")


def _is_str(v: Any) -> bool:
    return isinstance(v, str) and v.strip() != ""


def _check_id(v: Any, source: str, where: str) -> str:
    if v is None:
        raise _fail(source, where, "missing field 'id'")
    if not isinstance(v, str) or not _ID_RE.match(v):
        raise _fail(source, where, f"field 'id' must be a non-empty name of letters, digits, '_', '-' or '.', "
                                   f"got {v!r}")
    return v


def _check_keys(d: dict, allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(str(k) for k in d if k not in allowed)
    if unknown:
        raise _fail(source, where, f"unknown field {', '.join(repr(k) for k in unknown)} "
                                   f"(allowed: {', '.join(sorted(allowed))})")


def _parse_stages(raw: Any, source: str) -> tuple[Stage, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(source, "field 'stages'", "must be a non-empty list of {id, description}")
    stages: list[Stage] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"stages[{i}]"
        if isinstance(item, str):  # shorthand: a bare stage id
            item = {"id": item}
        if not isinstance(item, dict):
            raise _fail(source, where, f"must be a mapping with 'id' and 'description', got {type(item).__name__}")
        _check_keys(item, _STAGE_KEYS, source, where)
        sid = _check_id(item.get("id"), source, where)
        if sid in seen:
            raise _fail(source, f"{where} (id {sid!r})", f"duplicate stage id {sid!r} in field 'id'")
        seen.add(sid)
        desc = item.get("description", "")
        if desc is None:
            desc = ""
        if not isinstance(desc, str):
            raise _fail(source, f"{where} (id {sid!r})", "field 'description' must be a string")
        stages.append(Stage(id=sid, description=desc.strip()))
    return tuple(stages)


def _parse_lang_lists(raw: Any, source: str, where: str, name: str) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(source, where, f"field '{name}' must be a mapping language -> list of strings")
    out: dict[str, list[str]] = {}
    for lang, items in raw.items():
        if not _is_str(lang):
            raise _fail(source, where, f"field '{name}' has a language key {lang!r} that is not a string")
        if items is None:
            items = []
        if not isinstance(items, list):
            raise _fail(source, where, f"field '{name}.{lang}' must be a list of strings")
        clean: list[str] = []
        for j, s in enumerate(items):
            if not _is_str(s):
                raise _fail(source, where, f"field '{name}.{lang}[{j}]' must be a non-empty string, got {s!r}")
            clean.append(s.strip())
        if clean:
            out[str(lang).strip()] = clean
    return out


def _parse_touchpoint(item: Any, i: int, stage_ids: set[str], source: str) -> Touchpoint:
    where = f"touchpoints[{i}]"
    if not isinstance(item, dict):
        raise _fail(source, where, f"must be a mapping with at least 'id' and 'description', "
                                   f"got {type(item).__name__}")
    tid = _check_id(item.get("id"), source, where)
    where = f"{where} (id {tid!r})"
    _check_keys(item, _TOUCHPOINT_KEYS, source, where)

    label = item.get("label")
    if label is None:
        label = tid.replace("_", " ").capitalize()
    elif not _is_str(label):
        raise _fail(source, where, "field 'label' must be a non-empty string")

    description = item.get("description")
    if description is not None:
        if not isinstance(description, str):
            raise _fail(source, where, "field 'description' must be a string")
        description = description.strip() or None

    examples = _parse_lang_lists(item.get("examples"), source, where, "examples")
    keywords = _parse_lang_lists(item.get("keywords"), source, where, "keywords")
    polarity_cues = _parse_cues(item.get("polarity_cues"), source, where)
    if description is None and not examples:
        raise _fail(source, where, "needs a non-empty field 'description' or 'examples' (it has neither)")

    stage = item.get("stage")
    if stage is not None and (not isinstance(stage, str) or stage not in stage_ids):
        raise _fail(source, where, f"field 'stage' is {stage!r}, not one of the stages: "
                                   f"{', '.join(sorted(stage_ids))}")

    mode = contact = None
    channel = item.get("channel")
    if channel is not None:
        if not isinstance(channel, dict):
            raise _fail(source, where, "field 'channel' must be a mapping {mode: ..., contact: ...}")
        _check_keys(channel, _CHANNEL_KEYS, source, f"{where} field 'channel'")
        mode, contact = channel.get("mode"), channel.get("contact")
        if mode is not None and mode not in CHANNEL_MODES:
            raise _fail(source, where, f"field 'channel.mode' is {mode!r}, not one of {', '.join(CHANNEL_MODES)}")
        if contact is not None and contact not in CHANNEL_CONTACTS:
            raise _fail(source, where, f"field 'channel.contact' is {contact!r}, "
                                       f"not one of {', '.join(CHANNEL_CONTACTS)}")

    clue = item.get("clue")
    if clue is not None and clue not in CLUES:
        raise _fail(source, where, f"field 'clue' is {clue!r}, not one of {', '.join(CLUES)}")

    return Touchpoint(id=tid, label=label.strip(), description=description, stage=stage,
                      channel_mode=mode, channel_contact=contact, clue=clue,
                      examples=examples, keywords=keywords, polarity_cues=polarity_cues)


def _parse_cues(raw: Any, source: str, where: str) -> dict[str, dict[str, list[str]]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(source, where, "field 'polarity_cues' must be a mapping {positive: ..., negative: ...}")
    _check_keys(raw, set(_CUE_SIDES), source, f"{where} field 'polarity_cues'")
    out = {side: _parse_lang_lists(raw.get(side), source, where, f"polarity_cues.{side}") for side in _CUE_SIDES}
    return {side: by_lang for side, by_lang in out.items() if by_lang}


def _parse(data: Any, source: str, default_name: str) -> Taxonomy:
    if not isinstance(data, dict):
        raise _fail(source, "top level", f"must be a mapping with a 'touchpoints' list, got "
                                         f"{type(data).__name__ if data is not None else 'an empty file'}")
    _check_keys(data, _TOP_KEYS, source, "top level")

    name = data.get("name", default_name)
    if not _is_str(name):
        raise _fail(source, "top level", "field 'name' must be a non-empty string")
    version = data.get("version", "1")
    if isinstance(version, bool) or not isinstance(version, (str, int, float)) or str(version).strip() == "":
        raise _fail(source, "top level", "field 'version' must be a string or a number")

    stages = _parse_stages(data["stages"], source) if "stages" in data else _default_stages()
    stage_ids = {s.id for s in stages}

    raw = data.get("touchpoints")
    if not isinstance(raw, list) or not raw:
        raise _fail(source, "field 'touchpoints'", "must be a non-empty list of touchpoints")
    touchpoints: list[Touchpoint] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        t = _parse_touchpoint(item, i, stage_ids, source)
        if t.id in seen:
            raise _fail(source, f"touchpoints[{i}] (id {t.id!r})",
                        f"duplicate touchpoint id {t.id!r} in field 'id' (first at touchpoints[{seen[t.id]}])")
        seen[t.id] = i
        touchpoints.append(t)
    return Taxonomy(name=name.strip(), version=str(version).strip(), stages=stages, touchpoints=tuple(touchpoints))
