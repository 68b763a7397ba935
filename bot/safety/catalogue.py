"""The reviewed safety knowledge (data/safety/crisis_lines.yml and crisis_phrases.yml), loaded and checked.

Both files are validated in full when a process starts: a number without a source or a `last_verified` date,
a category that names an unknown line, a pattern that does not compile, or a category with no patterns stops
the start with a `SafetyDataError` naming the file and the entry. Nothing here is hidden state: callers hold
the `SafetyKnowledge` they loaded (`load_safety`); `cached_safety` only spares re-reading an unchanged file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import PROJECT_ROOT
from bot.settings import Settings, get_settings

MACRO = re.compile(r"\{([A-Z_]+)\}")
MAX_MACRO_DEPTH = 5


class SafetyDataError(ValueError):
    """A safety data file is missing, malformed or incomplete; the message names the file and the entry."""


@dataclass(frozen=True)
class LearnedSource:
    """What the layer learns from and how sure it must be (from crisis_phrases.yml `learned:`)."""

    examples: tuple[Path, ...]
    ordinary: tuple[Path, ...]
    threshold: float
    not_ordinary: re.Pattern[str] | None = None
    """Directory texts with these words are left out of the negatives without running every pattern (a
    description such as "if a child is in danger call 999" must not teach that it is ordinary)."""
    long_words: int | None = None
    long_threshold: float | None = None
    """A message of more than `long_words` words must reach `long_threshold` instead: long descriptions of an
    ordinary problem (a leak, a neighbour's extension) read as distress to a text classifier."""


def resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


@dataclass(frozen=True)
class Line:
    """One number to call or text, with the sentence that leads with it."""

    id: str
    name: str
    number: str
    say: str
    source: str
    last_verified: date


@dataclass(frozen=True)
class Category:
    """One kind of crisis: the lines said, in order, and the council's own services by LGSL code."""

    id: str
    label: str
    lines: tuple[str, ...]
    intro: str = ""
    outro: str = ""
    local_lgsl: tuple[int, ...] = ()
    local_say: str = ""


DEFAULT_WITHIN = 8
"""Words a `near` rule's terms may span by default: about a clause, so the words still describe one event."""
MAX_NEAR_TERMS = 3


@dataclass(frozen=True)
class NearRule:
    """Terms that must all occur within `within` words of each other (a `near` rule of crisis_phrases.yml).

    A crisis is told in too many word orders for fixed phrases ("my ex has a knife and says he'll use it", "he
    was waving a knife at her"): a rule names the parts (who, what is done) and asks only that they are close.
    `unless` is read on the whole normalised message, as for `weak` patterns, to keep out the ordinary sense.
    """

    terms: tuple[re.Pattern[str], ...]
    within: int = DEFAULT_WITHIN
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Group:
    """A set of patterns for one category; `weak` ones count only when no `unless` pattern is present.

    `near` rules count like `patterns`, unless the rule's own `unless` is present.
    """

    category: str
    patterns: tuple[re.Pattern[str], ...]
    weak: tuple[re.Pattern[str], ...] = ()
    unless: re.Pattern[str] | None = None
    lines: tuple[str, ...] = ()
    """Lines said instead of the category's own (a more specific message)."""
    near: tuple[NearRule, ...] = ()


@dataclass(frozen=True)
class SafetyKnowledge:
    lines: dict[str, Line]
    categories: dict[str, Category]
    """In priority order: the first that matches a message is the one answered."""
    groups: tuple[Group, ...]
    contractions: dict[str, str]
    spelling: dict[str, str]
    fillers: frozenset[str]
    """Intensifiers dropped before matching: "would honestly be better off" reads "would be better off"."""
    masks: tuple[re.Pattern[str], ...]
    keywords: frozenset[str]
    """Words the patterns use: a misspelt word one or two letters away from one of them is corrected to it."""
    keywords_by_initial: dict[str, tuple[str, ...]]
    """The same words by first letter, built once: a correction only considers words with the same initial."""
    learned: LearnedSource | None = None
    """The learned layer's sources and threshold (bot.safety.learned), or None for patterns alone."""
    fingerprint: str = ""
    """SHA-256 of the two files it was read from: a fitted learned layer is kept on disk under it."""

    def category_order(self, category: str) -> int:
        return list(self.categories).index(category)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SafetyDataError(f"{path}: the safety data file is missing") from None
    except yaml.YAMLError as error:
        raise SafetyDataError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise SafetyDataError(f"{path}: expected a mapping at the top level")
    return data


def _text(path: Path, where: str, entry: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise SafetyDataError(f"{path}: {where}: '{key}' must be non-empty text")
    return value.strip()


def _date(path: Path, where: str, value: Any, today: date) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise SafetyDataError(f"{path}: {where}: 'last_verified' must be a date (YYYY-MM-DD)") from None
    if not isinstance(value, date):
        raise SafetyDataError(f"{path}: {where}: 'last_verified' must be a date (YYYY-MM-DD)")
    if value > today:
        raise SafetyDataError(f"{path}: {where}: 'last_verified' {value} is in the future")
    return value


def _entries(path: Path, data: dict[str, Any], key: str, kind: str) -> Iterator[tuple[str, dict, str]]:
    """(id, entry, where) for each entry of a mapping section, each checked to be a mapping itself."""
    raw = data.get(key)
    if not isinstance(raw, dict) or not raw:
        raise SafetyDataError(f"{path}: '{key}' must map {kind} ids to entries")
    for entry_id, entry in raw.items():
        where = f"{kind} '{entry_id}'"
        if not isinstance(entry, dict):
            raise SafetyDataError(f"{path}: {where}: expected a mapping")
        yield str(entry_id), entry, where


def parse_lines(path: Path, data: dict[str, Any], today: date) -> tuple[dict[str, Line], dict[str, Category]]:
    """The lines and categories of crisis_lines.yml, every entry checked."""
    lines: dict[str, Line] = {}
    for line_id, entry, where in _entries(path, data, "lines", "line"):
        number = str(entry.get("number") or "").strip()
        if not number:
            raise SafetyDataError(f"{path}: {where}: 'number' must be given")
        say = _text(path, where, entry, "say")
        if number not in say:
            raise SafetyDataError(f"{path}: {where}: 'say' must contain the number {number!r}")
        source = _text(path, where, entry, "source")
        if not source.startswith("https://"):
            raise SafetyDataError(f"{path}: {where}: 'source' must be an https:// page")
        lines[line_id] = Line(
            id=line_id,
            name=_text(path, where, entry, "name"),
            number=number,
            say=say,
            source=source,
            last_verified=_date(path, where, entry.get("last_verified"), today),
        )
    categories: dict[str, Category] = {}
    for category_id, entry, where in _entries(path, data, "categories", "category"):
        line_ids = entry.get("lines") or []
        if not isinstance(line_ids, list) or not line_ids:
            raise SafetyDataError(f"{path}: {where}: 'lines' must list at least one line id")
        unknown = [line_id for line_id in line_ids if line_id not in lines]
        if unknown:
            raise SafetyDataError(f"{path}: {where}: unknown line(s) {', '.join(map(str, unknown))}")
        local = entry.get("local_lgsl") or []
        if not isinstance(local, list) or not all(isinstance(code, int) for code in local):
            raise SafetyDataError(f"{path}: {where}: 'local_lgsl' must list LGSL codes (whole numbers)")
        local_say = _text(path, where, entry, "local_say", required=bool(local))
        if local and not {"{name}", "{phone}"} <= set(re.findall(r"\{\w+\}", local_say)):
            raise SafetyDataError(f"{path}: {where}: 'local_say' must contain {{name}} and {{phone}}")
        categories[category_id] = Category(
            id=category_id,
            label=_text(path, where, entry, "label"),
            lines=tuple(line_ids),
            intro=_text(path, where, entry, "intro", required=False),
            outro=_text(path, where, entry, "outro", required=False),
            local_lgsl=tuple(local),
            local_say=local_say,
        )
    return lines, categories


def _expand(pattern: str, macros: dict[str, str], path: Path, where: str) -> str:
    for _ in range(MAX_MACRO_DEPTH):
        names = MACRO.findall(pattern)
        if not names:
            return pattern
        for name in names:
            if name not in macros:
                raise SafetyDataError(f"{path}: {where}: unknown macro {{{name}}}")
        pattern = MACRO.sub(lambda match: macros[match.group(1)], pattern)
    raise SafetyDataError(f"{path}: {where}: macros nested too deeply")


def _compile(pattern: Any, macros: dict[str, str], path: Path, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise SafetyDataError(f"{path}: {where}: a pattern must be non-empty text")
    expanded = _expand(pattern, macros, path, where)
    try:
        return re.compile(rf"(?<![a-z0-9])(?:{expanded})(?![a-z0-9])")
    except re.error as error:
        raise SafetyDataError(f"{path}: {where}: pattern {pattern!r} does not compile ({error})") from None


def _word_map(path: Path, data: dict[str, Any], key: str) -> dict[str, str]:
    table = data.get(key) or {}
    if not isinstance(table, dict):
        raise SafetyDataError(f"{path}: '{key}' must map words to words")
    return {str(word).lower(): str(meant).lower() for word, meant in table.items()}


def _fillers(path: Path, data: dict[str, Any]) -> frozenset[str]:
    words = data.get("fillers") or []
    if not isinstance(words, list) or not all(isinstance(word, str) and word.strip() for word in words):
        raise SafetyDataError(f"{path}: 'fillers' must list words")
    return frozenset(word.strip().lower() for word in words)


def _learned(path: Path, entry: Any) -> LearnedSource | None:
    """The `learned:` section: example tables, ordinary-text files and a threshold, every file present."""
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise SafetyDataError(f"{path}: 'learned' must be a mapping with examples, ordinary and threshold")
    files: dict[str, tuple[Path, ...]] = {}
    for key in ("examples", "ordinary"):
        names = entry.get(key)
        if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
            raise SafetyDataError(f"{path}: learned: '{key}' must list files")
        found = tuple(resolve(name) for name in names)
        missing = [str(file) for file in found if not file.is_file()]
        if missing:
            raise SafetyDataError(f"{path}: learned: '{key}' names missing file(s) {', '.join(missing)}")
        files[key] = found
    threshold = entry.get("threshold")
    if not isinstance(threshold, (int, float)) or not 0.5 <= float(threshold) < 1.0:
        raise SafetyDataError(f"{path}: learned: 'threshold' must be a number from 0.5 to below 1")
    words = entry.get("not_ordinary") or []
    if not isinstance(words, list) or not all(isinstance(word, str) and word for word in words):
        raise SafetyDataError(f"{path}: learned: 'not_ordinary' must list words or patterns")
    try:
        not_ordinary = re.compile(rf"(?<![a-z0-9])(?:{'|'.join(words)})") if words else None
    except re.error as error:
        raise SafetyDataError(f"{path}: learned: 'not_ordinary' does not compile ({error})") from None
    long_words, long_threshold = entry.get("long_message_words"), entry.get("long_message_threshold")
    if (long_words is None) != (long_threshold is None):
        raise SafetyDataError(
            f"{path}: learned: 'long_message_words' and 'long_message_threshold' go together, or neither"
        )
    if long_words is not None and (
        not isinstance(long_words, int) or isinstance(long_words, bool) or long_words < 1
    ):
        raise SafetyDataError(
            f"{path}: learned: 'long_message_words' must be a whole number of words above 0"
        )
    if long_threshold is not None and (
        not isinstance(long_threshold, (int, float)) or not float(threshold) <= float(long_threshold) < 1.0
    ):
        raise SafetyDataError(
            f"{path}: learned: 'long_message_threshold' must be from 'threshold' ({threshold}) to below 1"
        )
    return LearnedSource(
        examples=files["examples"],
        ordinary=files["ordinary"],
        threshold=float(threshold),
        not_ordinary=not_ordinary,
        long_words=long_words,
        long_threshold=None if long_threshold is None else float(long_threshold),
    )


def _keywords(patterns: list[str]) -> frozenset[str]:
    """The literal words of the patterns (five letters or more): what misspellings are corrected towards.

    Backslash classes and character classes are not literal; a stem before `\\w*` ("threaten\\w*") is kept, so
    a misspelling of the stem itself is corrected to it and the stem pattern still matches.
    """
    words: set[str] = set()
    for pattern in patterns:
        without_classes = re.sub(r"\\[a-zA-Z]|\[[^\]]*\]|\(\?[<!=:]*", " ", pattern)
        words.update(word for word in re.findall(r"[a-z]{5,}", without_classes))
    return frozenset(words)


def _alternation(items: list[Any], macros: dict[str, str], path: Path, where: str) -> re.Pattern[str] | None:
    """One compiled pattern that matches any of `items` (None for an empty list)."""
    if not items:
        return None
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise SafetyDataError(f"{path}: {where}: 'unless' must list non-empty patterns")
    return _compile("|".join(f"(?:{item})" for item in items), macros, path, where)


def _within(value: Any, path: Path, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 40:
        raise SafetyDataError(f"{path}: {where}: 'within' must be a whole number of words from 1 to 40")
    return value


def _near_rules(
    raw: Any, default_within: int, macros: dict[str, str], path: Path, where: str
) -> tuple[tuple[NearRule, ...], list[str]]:
    """The `near` rules of one group, and their literal text (for the spelling keywords).

    A rule is either a list of 2-3 term patterns, or a mapping with `terms`, and optionally `within` and
    `unless`. Every fault names the rule by its number, so a reviewer finds it in a long group.
    """
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        raise SafetyDataError(f"{path}: {where}: 'near' must list rules")
    rules: list[NearRule] = []
    literal: list[str] = []
    for number, entry in enumerate(raw, start=1):
        rule_where = f"{where}: near rule {number}"
        within = default_within
        unless_items: list[object] = []
        if isinstance(entry, dict):
            unknown = set(entry) - {"terms", "within", "unless"}
            if unknown:
                raise SafetyDataError(f"{path}: {rule_where}: unknown key(s) {sorted(unknown)}")
            terms = entry.get("terms")
            if "within" in entry:
                within = _within(entry["within"], path, rule_where)
            unless = entry.get("unless") or []
            if not isinstance(unless, list):
                raise SafetyDataError(f"{path}: {rule_where}: 'unless' must be a list")
            unless_items = unless
        else:
            terms = entry
        if not isinstance(terms, list) or not 2 <= len(terms) <= MAX_NEAR_TERMS:
            raise SafetyDataError(
                f"{path}: {rule_where}: a rule must list 2 to {MAX_NEAR_TERMS} term patterns"
            )
        literal.extend(str(term) for term in terms)
        rules.append(
            NearRule(
                terms=tuple(_compile(term, macros, path, rule_where) for term in terms),
                within=within,
                unless=_alternation(unless_items, macros, path, rule_where),
            )
        )
    return tuple(rules), literal


def parse_phrases(path: Path, data: dict[str, Any], categories: dict[str, Category]) -> dict[str, Any]:
    """The groups, masks and tables of crisis_phrases.yml, every pattern compiled and every category known."""
    macros = {str(name): str(value) for name, value in (data.get("macros") or {}).items()}
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise SafetyDataError(f"{path}: 'groups' must list pattern groups")
    groups: list[Group] = []
    literal: list[str] = list(macros.values())
    for index, entry in enumerate(raw_groups, start=1):
        where = f"group {index}"
        if not isinstance(entry, dict):
            raise SafetyDataError(f"{path}: {where}: expected a mapping")
        category = entry.get("category")
        if category not in categories:
            raise SafetyDataError(f"{path}: {where}: unknown category {category!r} (not in crisis_lines.yml)")
        where = f"group {index} ({category})"
        unknown_keys = set(entry) - {"category", "patterns", "weak", "unless", "lines", "near", "within"}
        if unknown_keys:
            raise SafetyDataError(f"{path}: {where}: unknown key(s) {sorted(unknown_keys)}")
        patterns = entry.get("patterns") or []
        weak = entry.get("weak") or []
        default_within = _within(entry.get("within", DEFAULT_WITHIN), path, where)
        near, near_literal = _near_rules(entry.get("near"), default_within, macros, path, where)
        if not isinstance(patterns, list) or not isinstance(weak, list) or not (patterns or weak or near):
            raise SafetyDataError(f"{path}: {where}: 'patterns' must list at least one pattern")
        unless = entry.get("unless") or []
        if not isinstance(unless, list):
            raise SafetyDataError(f"{path}: {where}: 'unless' must be a list")
        lines = entry.get("lines") or []
        if not isinstance(lines, list):
            raise SafetyDataError(f"{path}: {where}: 'lines' must be a list of line ids")
        literal.extend(str(p) for p in [*patterns, *weak, *near_literal])
        groups.append(
            Group(
                category=category,
                patterns=tuple(_compile(p, macros, path, where) for p in patterns),
                weak=tuple(_compile(p, macros, path, where) for p in weak),
                unless=_alternation(unless, macros, path, where),
                lines=tuple(lines),
                near=near,
            )
        )
    missing = [c for c in categories if not any(group.category == c for group in groups)]
    if missing:
        raise SafetyDataError(
            f"{path}: no patterns for categor{'y' if len(missing) == 1 else 'ies'} {missing}"
        )
    masks = tuple(
        _compile(mask, macros, path, f"mask {index}") for index, mask in enumerate(data.get("mask") or [], 1)
    )
    return {
        "groups": tuple(groups),
        "contractions": _word_map(path, data, "contractions"),
        "spelling": _word_map(path, data, "spelling"),
        "fillers": _fillers(path, data),
        "masks": masks,
        "keywords": (keywords := _keywords(literal)),
        "keywords_by_initial": {
            initial: tuple(sorted(word for word in keywords if word[0] == initial))
            for initial in {word[0] for word in keywords}
        },
        "learned": _learned(path, data.get("learned")),
    }


def load_safety(lines_file: Path, phrases_file: Path, today: date | None = None) -> SafetyKnowledge:
    """Both files, read and checked; raises SafetyDataError naming the file and entry at the first fault."""
    today = today or date.today()
    lines, categories = parse_lines(lines_file, _read_yaml(lines_file), today)
    phrases = parse_phrases(phrases_file, _read_yaml(phrases_file), categories)
    for group in phrases["groups"]:
        unknown = [line_id for line_id in group.lines if line_id not in lines]
        if unknown:
            raise SafetyDataError(f"{phrases_file}: group for {group.category}: unknown line(s) {unknown}")
    digest = hashlib.sha256(lines_file.read_bytes() + b"\0" + phrases_file.read_bytes()).hexdigest()
    return SafetyKnowledge(lines=lines, categories=categories, fingerprint=digest, **phrases)


@lru_cache(maxsize=4)
def _cached(lines_file: Path, phrases_file: Path, stamps: tuple[float, float]) -> SafetyKnowledge:
    return load_safety(lines_file, phrases_file)


def cached_safety(settings: Settings | None = None) -> SafetyKnowledge:
    """The safety knowledge named by the settings, re-read only when either file changes on disk."""
    settings = settings or get_settings()
    lines_file, phrases_file = settings.safety_lines_file, settings.safety_phrases_file
    try:
        stamps = (lines_file.stat().st_mtime, phrases_file.stat().st_mtime)
    except FileNotFoundError as error:
        raise SafetyDataError(f"{error.filename}: the safety data file is missing") from None
    return _cached(lines_file, phrases_file, stamps)
