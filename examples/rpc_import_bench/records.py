"""Reads the record format (docs/data-format.md) line by line, as the benchmark's clients need
it: `source` lines and `budget_line` records with `amount_sek`. Anything else is refused, so
that a client never streams less than the file holds without saying so."""

import shlex


def fields(line):
    """The kind and the key=value fields of one line, or None for a blank line or comment."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    words = shlex.split(line) if '"' in line or "'" in line else line.split()
    kind, rest = words[0], words[1:]
    values = {}
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep:
            raise ValueError(f"not key=value: {word!r} in {line!r}")
        values[key] = value
    return kind, values


BUDGET_LINE_FIELDS = {"org_unit", "category", "fiscal_year", "from_month", "to_month",
                      "scenario", "amount_sek", "document", "table"}
SCENARIOS = {"actual": 1, "budget": 2, "forecast": 3, "plan": 4}


def read(path):
    """Yields ("source", {document, table}) and ("budget_line", {…}) in file order."""
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            parsed = fields(line)
            if parsed is None:
                continue
            kind, values = parsed
            if kind == "source":
                yield kind, values
            elif kind == "budget_line":
                unknown = set(values) - BUDGET_LINE_FIELDS
                if unknown:
                    raise ValueError(f"{path}:{number}: fields this benchmark does not send: "
                                     f"{sorted(unknown)}")
                yield kind, values
            else:
                raise ValueError(f"{path}:{number}: kind {kind!r}: this benchmark sends "
                                 "budget_line records only")


def count_records(path):
    """The records the file holds (every non-blank, non-comment line but `source`)."""
    records = 0
    with open(path, encoding="utf-8") as file:
        for line in file:
            line = line.lstrip()
            if line and not line.startswith("#") and not line.startswith("source "):
                records += 1
    return records
