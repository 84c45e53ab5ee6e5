"""`deepmap verify`: every registered claim of the map, checked against its reference.

One line per claim (status, id, the map's value / ours), the reasons below the table, the
totals last; `--claim ID` prints one claim's full record. Fits an 80-column terminal.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from deepmap.cli._common import console, emit_json

STYLE = {
    "agrees": "green",
    "differs": "yellow",
    "FAILS": "bold red",
    "skipped": "dim",
    "not measured": "cyan",
}
BELOW = (  # the notes listed under the table, in this order
    ("FAILS", "Fails"),
    ("differs", "Differs from the map"),
    ("skipped", "Skipped"),
    ("not measured", "Not measured yet"),
)


def compact(v: Any, unit: str = "") -> str:
    """A value in a few characters: 154141696 -> "154.1M", 0.7272727 -> "0.7273"."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            text = str(v)
        elif abs(v) >= 1e6:
            text = f"{v / 1e6:.4g}M"
        elif abs(v) >= 1e4:
            text = f"{v / 1e3:.4g}K"
        elif isinstance(v, int):
            text = f"{v:,}"
        else:
            text = f"{v:.4g}"
        return text + (unit if unit in ("", "%") else f" {unit}")
    if isinstance(v, list | tuple):
        return "[" + ", ".join(compact(x) for x in v) + "]"
    return str(v)


def _full(v: Any, unit: str = "") -> str:
    if isinstance(v, bool) or v is None:
        return compact(v)
    if isinstance(v, int):
        return f"{v:,}" + (f" {unit}" if unit else "")
    if isinstance(v, float):
        return repr(v) + (unit if unit in ("", "%") else f" {unit}")
    return str(v)


def _provenance_line(prov: dict[str, Any] | None) -> str:
    if not prov:
        return "no provenance recorded (an older results.json)"
    commit = str(prov.get("git_commit") or "unknown commit")
    parts = [f"commit {commit[:10]}{'-dirty' if commit.endswith('-dirty') else ''}"]
    if prov.get("created"):
        parts.append(str(prov["created"]))
    machine = ", ".join(
        str(x) for x in (prov.get("cpu"), prov.get("threads") and f"{prov['threads']} threads") if x
    )
    if prov.get("gpu"):
        machine += f", {prov['gpu']}"
    if machine:
        parts.append(machine)
    return "; ".join(parts)


def _hanging(text: str, indent: str = "  ", hang: str = "      ") -> None:
    """One note, wrapped to the terminal with a hanging indent (whole words only)."""
    lines = textwrap.wrap(
        text,
        width=max(console.width, 40),
        initial_indent=indent,
        subsequent_indent=hang,
        break_long_words=True,
        break_on_hyphens=False,
    )
    for line in lines:
        console.print(Text(line), soft_wrap=True)


def render_table(results: list) -> None:
    """The one-line-per-claim table, the notes under it, then the totals."""
    from rich import box
    from rich.table import Table

    width = max(console.width, 60)
    id_width = min(max((len(r.id) for r in results), default=5), 30)
    t = Table(
        box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title="The map's claims, checked"
    )
    t.add_column("status", no_wrap=True, width=12)
    t.add_column("claim", no_wrap=True, overflow="ellipsis", width=id_width)
    # padding 1 on each inner side (4 in all) and 2 column separators: 6 characters
    value_width = width - 12 - id_width - 6
    t.add_column("the map / ours", no_wrap=True, overflow="ellipsis", width=value_width)
    for r in results:
        t.add_row(
            Text(r.status, style=STYLE[r.status]),
            Text(r.id),
            Text(f"{compact(r.map_value, r.unit)} / {compact(r.ours, r.unit)}"),
        )
    console.print(t)
    console.print()
    for status, title in BELOW:
        rows = [r for r in results if r.status == status]
        if rows:
            console.print(Text(f"{title}:", style=STYLE[status]))
            for r in rows:
                _hanging(f"{r.id}: {r.note}")
    measured = [r for r in results if r.kind == "measured" and r.source]
    if measured:
        console.print(Text("Measured (deepmap verify --claim ID for the full record):"))
        for r in measured:
            _hanging(f"{r.id}: {r.source}; {_provenance_line(r.provenance)}")
    counts = {s: sum(r.status == s for r in results) for s in STYLE}
    total = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    console.print(Text(f"{len(results)} claims: {total}"))


def render_record(r) -> None:
    """Every field of one claim's result, one per line."""
    rows = [
        ("claim", r.id),
        ("section", r.section),
        ("the map says", r.words),
        ("map value", _full(r.map_value, r.unit)),
        ("deepmap", _full(r.ours, r.unit)),
    ]
    if r.kind == "computed":
        rows.append(("reference", f"{_full(r.reference)} ({r.reference_name or 'none'})"))
    rows += [("status", r.status), ("note", r.note or "-")]
    if r.kind == "measured":
        rows += [("results", r.source or "none"), ("command", r.command)]
        if r.source:
            rows.append(("provenance", _provenance_line(r.provenance)))
            rows += [(f"  {k}", str(v)) for k, v in (r.provenance or {}).items()]
    for name, value in rows:
        if name == "status":
            console.print(Text(f"{name:<13} ").append(value, style=STYLE[r.status]))
        else:
            _hanging(f"{name:<13} {value}", indent="", hang=" " * 14)


def verify_cmd(
    only: str = typer.Option(
        "", "--only", metavar="PREFIX", help="Check only claims whose id starts with this."
    ),
    claim: str = typer.Option(
        "", "--claim", metavar="ID", help="Check one claim and print its full record."
    ),
    results_dir: str | None = typer.Option(
        None,
        "--results",
        metavar="DIR",
        help="Folder of benchmark results that measured claims read "
        "(default: $DEEPMAP_RESULTS, else ./results).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
    out: Path | None = typer.Option(
        None, "--out", metavar="FILE", help="Also write the results as JSON here."
    ),
) -> None:
    """Check the map's claims against the production library and the latest measured
    results. Exit code: 0 when every claim agrees, differs for a stated reason, is skipped
    (an optional extra not installed) or not measured yet; 1 when one FAILS; 2 on bad input.
    """
    import os

    from deepmap.validate import check_out_path
    from deepmap.verify import check_claims, results_folder, select_claims

    claims = select_claims(only=only, claim=claim)
    if out is not None:
        check_out_path(out, "--out", folder=False)
    folder = results_folder(results_dir)
    if as_json:
        results = check_claims(claims, results=folder)
    else:
        with console.status("checking claims...") as status:
            results = check_claims(
                claims, lambda c: status.update(f"checking {c.id}"), results=folder
            )
    data = results[0].to_dict() if claim else [r.to_dict() for r in results]
    if out is not None:
        from deepmap.report.jsonable import dumps

        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(dumps(data) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    if as_json:
        emit_json(data)
    elif claim:
        render_record(results[0])
    else:
        render_table(results)
    if any(r.status == "FAILS" for r in results):
        raise typer.Exit(1)
