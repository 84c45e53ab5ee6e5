"""`deepmap predict`: label texts with a fine-tuned BERT-family model folder (full or LoRA,
written by the bert-finetune / bert-lora rungs or `BertClassifier.save`)."""

from __future__ import annotations

import typer

from deepmap.cli._common import console, emit_json


def predict_cmd(
    texts: list[str] = typer.Argument(None, help="Texts to label (or --file)."),
    model: str = typer.Option(..., "--model", help="A saved model folder (deepmap.json inside)."),
    file: str = typer.Option(None, "--file", help="A UTF-8 file, one text a line."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Each text's label and its probability."""
    from deepmap.classify.bert_predict import predict_folder

    rows = predict_folder(model, texts or (), file)
    if as_json:
        emit_json({"model": model, "predictions": rows})
        return
    for r in rows:
        text = r["text"] if len(r["text"]) <= 60 else r["text"][:57] + "..."
        console.print(f"{r['label']}  {r['probability']:.3f}  {text}", markup=False)
