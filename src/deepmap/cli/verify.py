"""`deepmap verify`: every registered claim of the map, checked against its reference."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from deepmap.cli._common import console, emit_json


def _short(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, list):
        return ", ".join(_short(x) for x in v)
    return "" if v is None else str(v)


STYLE = {"agrees": "green", "differs": "yellow", "FAILS": "bold red", "skipped": "dim"}


def verify_cmd(
    only: str = typer.Option("", "--only", help="Check only claims whose id starts with this."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
    out: Path | None = typer.Option(None, "--out", help="Also write the results as JSON here."),
) -> None:
    """Check every claim of the map against the production library; exit 1 if one fails."""
    import json

    from deepmap.verify import all_claims, check_claims

    claims = [c for c in all_claims() if c.id.startswith(only)]
    with console.status("checking claims...") as status:
        results = check_claims(claims, lambda c: status.update(f"checking {c.id}"))
    data = [r.to_dict() for r in results]
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if as_json:
        emit_json(data)
    else:
        t = Table(title="The map's claims, checked")
        t.add_column("claim", no_wrap=True)
        t.add_column("map says", ratio=3)
        for name in ("map value", "deepmap", "reference", "status"):
            t.add_column(name, ratio=1)
        for r in results:
            ref = f"{_short(r.reference)}\n[dim]{r.reference_name}[/]" if r.reference_name else ""
            status_text = f"[{STYLE[r.status]}]{r.status}[/]" + (f"\n{r.note}" if r.note else "")
            t.add_row(r.id, r.words, _short(r.map_value), _short(r.ours), ref, status_text)
        console.print(t)
        counts = {s: sum(r.status == s for r in results) for s in STYLE}
        console.print(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    if any(r.status == "FAILS" for r in results):
        raise typer.Exit(1)
