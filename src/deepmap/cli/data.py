"""`deepmap data`: the datasets deepmap loads, where they come from and where they are here."""

from __future__ import annotations

import os

import typer

from deepmap.cli._common import console, echo, emit_json, plain

app = typer.Typer(no_args_is_help=True)

STATUS_STYLE = {
    "bundled": "green",
    "cached": "green",
    "$DEEPMAP_DATA": "green",
    "downloadable": "yellow",
    "not found": "red",
    "user path": "cyan",
}


def _rows(names: list[str]) -> list[dict]:
    from deepmap.data.registry import DATASETS, get

    chosen = [get(n) for n in names] if names else list(DATASETS.values())
    rows = []
    for d in chosen:
        loc = d.where()
        on_disk = loc.path.stat().st_size if loc.path is not None and loc.path.is_file() else None
        rows.append(
            {
                "name": d.name,
                "description": d.description,
                "source": d.source,
                "license": d.license,
                "size": d.size,
                "origin": d.origin,
                "citation": d.citation,
                "status": loc.status,
                "path": str(loc.path) if loc.path is not None else None,
                "bytes_on_disk": on_disk,
                "note": loc.note,
                "files": [
                    {"url": f.url, "filename": f.filename, "sha256": f.sha256, "size": f.size}
                    for f in d.files
                ],
            }
        )
    return rows


@app.command("list")
def list_cmd(
    names: list[str] = typer.Argument(None, help="Only these datasets (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Every dataset: what it is, source, licence, size, and whether it is bundled, cached,
    downloadable or in $DEEPMAP_DATA here, with its path."""
    from deepmap.data.cache import cache_dir

    rows = _rows(names or [])
    if as_json:
        emit_json(rows)
        return
    data_root = os.environ.get("DEEPMAP_DATA") or "(unset)"
    echo(f"cache ($DEEPMAP_HOME): {cache_dir()}")
    echo(f"$DEEPMAP_DATA: {data_root}")
    width = max(len(r["name"]) for r in rows) if rows else 0
    for r in rows:
        console.print()
        status = plain(f"[{r['status']}]", style=STATUS_STYLE.get(r["status"], ""))
        console.print(plain(r["name"].ljust(width), style="bold") + "  " + status, soft_wrap=True)
        echo(f"  {r['description']}")
        echo(f"  {r['source']}" + (f", {r['size']}" if r["size"] else "") + f"; {r['license']}")
        if r["origin"]:
            echo(f"  from {r['origin']}")
        where = r["path"] or "-"
        if r["bytes_on_disk"] is not None:
            where += f" ({r['bytes_on_disk'] / 1e6:,.1f} MB)"
        echo(f"  at {where}" + (f"  ({r['note']})" if r["note"] else ""))
