"""`deepmap calc`: the map's shape and parameter formulas from the command line."""

from __future__ import annotations

import re

import typer
from rich.table import Table

from deepmap import calc
from deepmap.cli._common import console, emit_json, fmt_int, plain
from deepmap.errors import InputError
from deepmap.validate import short

app = typer.Typer(no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")


def _dims(name: str, text: str) -> int | tuple[int, int]:
    """'28' -> 28, '224x200' -> (224, 200)."""
    m = re.fullmatch(
        r"\s*(-?\d{1,20})\s*(?:[x,]\s*(-?\d{1,20})\s*)?", text
    )  # 20 digits: no int-limit error
    if not m:
        raise InputError(
            f"{name} must be an integer or HxW, such as 28 or 224x200. Got {short(repr(text))}."
        )
    a, b = m.groups()
    return int(a) if b is None else (int(a), int(b))


@app.command("conv")
def conv_cmd(
    size: str = typer.Option(..., "--in", help="Input size W_in (or HxW, e.g. 224x200)."),
    k: str = typer.Option("3", "-k", "--kernel", help="Kernel size K (or KhxKw)."),
    p: str = typer.Option("0", "-p", "--padding", help="Padding P (or PhxPw)."),
    s: str = typer.Option("1", "-s", "--stride", help="Stride S (or ShxSw)."),
    d: str = typer.Option("1", "-d", "--dilation", help="Dilation D."),
    as_json: bool = JSON,
) -> None:
    """Conv/pool output size: W_out = floor((W_in - K + 2P)/S) + 1."""
    args = [_dims(n, v) for n, v in (("--in", size), ("-k", k), ("-p", p), ("-s", s), ("-d", d))]
    if all(isinstance(a, int) for a in args):
        out: int | tuple[int, int] = calc.conv_output_size(*args)  # type: ignore[arg-type]
    else:
        out = calc.conv2d_output_shape(*args)  # type: ignore[arg-type]
    if as_json:
        emit_json(
            {"in": args[0], "k": args[1], "p": args[2], "s": args[3], "d": args[4], "out": out}
        )
    else:
        console.print(out if isinstance(out, int) else f"{out[0]}x{out[1]}")


@app.command("conv-params")
def conv_params_cmd(
    c_in: int = typer.Option(..., "--cin", help="Input channels C_in."),
    c_out: int = typer.Option(..., "--cout", help="Output channels C_out."),
    k: str = typer.Option("3", "-k", "--kernel", help="Kernel size K (or KhxKw)."),
    bias: bool = typer.Option(True, "--bias/--no-bias", help="Count the bias."),
    groups: int = typer.Option(1, "--groups", help="Groups (C_in for depthwise)."),
    as_json: bool = JSON,
) -> None:
    """Conv2d parameters: (K*K*C_in/groups + 1) * C_out."""
    n = calc.conv2d_params(c_in, c_out, _dims("-k", k), bias=bias, groups=groups)
    if as_json:
        emit_json(
            {"c_in": c_in, "c_out": c_out, "k": k, "bias": bias, "groups": groups, "params": n}
        )
    else:
        console.print(fmt_int(n))


@app.command("separable")
def separable_cmd(
    c_in: int = typer.Option(256, "--cin"),
    c_out: int = typer.Option(256, "--cout"),
    k: int = typer.Option(3, "-k", "--kernel"),
    size: int = typer.Option(14, "--out-size", help="Output H = W."),
    as_json: bool = JSON,
) -> None:
    """Standard vs depthwise-separable conv multiply-adds (MobileNet's saving)."""
    r = calc.separable_conv_saving(c_in, c_out, k, size, size)
    if as_json:
        emit_json(r.to_dict())
        return
    t = Table("conv", "multiply-adds")
    t.add_row("standard", fmt_int(r.standard_macs))
    t.add_row("depthwise", fmt_int(r.depthwise_macs))
    t.add_row("pointwise (1x1)", fmt_int(r.pointwise_macs))
    t.add_row("separable total", fmt_int(r.separable_macs))
    console.print(t)
    console.print(f"saving: {r.saving:.2f}x fewer operations")


@app.command("mlp")
def mlp_cmd(
    spec: str = typer.Argument(..., help="Layer widths, e.g. 784-256-128-10."),
    batchnorm: bool = typer.Option(False, "--batchnorm", help="Add BatchNorm to hidden layers."),
    as_json: bool = JSON,
) -> None:
    """MLP parameters per layer: in*out + out (weights + biases)."""
    if re.search(r"\d{21,}", spec):  # int() refuses 4,300+ digits with a traceback
        raise InputError(f"layer widths have at most 20 digits. Got {short(repr(spec))}.")
    r = calc.mlp_params(spec, batchnorm=batchnorm)
    if as_json:
        emit_json(r.to_dict())
        return
    t = Table(
        "layer",
        "in x out",
        "weights",
        "biases",
        *(["batchnorm"] if batchnorm else []),
        "params",
        title=plain(f"MLP {spec}"),
    )
    for i, layer in enumerate(r.layers, 1):
        t.add_row(
            str(i),
            f"{layer.n_in} x {layer.n_out}",
            fmt_int(layer.weights),
            fmt_int(layer.biases),
            *([fmt_int(layer.batchnorm)] if batchnorm else []),
            fmt_int(layer.total),
        )
    console.print(t)
    parts = " + ".join(fmt_int(layer.total) for layer in r.layers)
    console.print(f"total: {parts} = {fmt_int(r.total)} ({calc.human(r.total)})")


@app.command("rnn")
def rnn_cmd(
    input_size: int = typer.Option(128, "--input", help="Input features I."),
    hidden: int = typer.Option(128, "--hidden", help="Hidden size H."),
    layers: int = typer.Option(1, "--layers"),
    bidirectional: bool = typer.Option(False, "--bidirectional"),
    as_json: bool = JSON,
) -> None:
    """RNN / LSTM / GRU parameters side by side: G*H*(I+H) + 2*G*H per layer, G = 1, 4, 3."""
    counts = {
        k: calc.recurrent_params(
            k, input_size, hidden, num_layers=layers, bidirectional=bidirectional
        )
        for k in ("rnn", "lstm", "gru")
    }
    base = counts["rnn"].total
    if as_json:
        emit_json(
            {
                k: {"gates": c.gates, "params": c.total, "vs_rnn": c.total / base}
                for k, c in counts.items()
            }
        )
        return
    t = Table("module", "gates", "params", "x RNN")
    for k, c in counts.items():
        t.add_row(f"nn.{k.upper()}", str(c.gates), fmt_int(c.total), f"{c.total / base:.2f}")
    console.print(t)


@app.command("lora")
def lora_cmd(
    d: int = typer.Option(4096, "--d", help="Rows d of W."),
    k: int = typer.Option(4096, "--k", help="Columns k of W."),
    r: int = typer.Option(8, "-r", "--rank", help="LoRA rank r."),
    as_json: bool = JSON,
) -> None:
    """LoRA trainable parameters r*(d+k) against full fine-tuning d*k."""
    c = calc.lora_params(d, k, r)
    if as_json:
        emit_json(c.to_dict())
        return
    console.print(
        f"LoRA r={r}: {fmt_int(c.lora)} trainable vs {fmt_int(c.full)} full "
        f"-> {c.reduction:,.1f}x fewer"
    )


@app.command("transformer")
def transformer_cmd(
    layers: int = typer.Option(12, "--layers"),
    d_model: int = typer.Option(768, "--d-model"),
    n_heads: int = typer.Option(12, "--heads"),
    ffn: int = typer.Option(3072, "--ffn"),
    vocab: int = typer.Option(30522, "--vocab"),
    max_len: int = typer.Option(512, "--max-len"),
    as_json: bool = JSON,
) -> None:
    """BERT-style encoder parameters (defaults: BERT-base)."""
    c = calc.transformer_params(calc.TransformerSpec(layers, d_model, n_heads, ffn, vocab, max_len))
    if as_json:
        emit_json(c.to_dict())
        return
    t = Table("part", "params")
    t.add_row("embeddings", fmt_int(c.embeddings))
    t.add_row(f"encoder ({layers} x {fmt_int(c.per_layer)})", fmt_int(c.encoder))
    t.add_row("pooler", fmt_int(c.pooler))
    t.add_row("total", f"{fmt_int(c.total)} ({calc.human(c.total)})")
    console.print(t)


@app.command("dense-image")
def dense_image_cmd(
    height: int = typer.Option(224, "--height"),
    width: int = typer.Option(224, "--width"),
    channels: int = typer.Option(3, "--channels"),
    units: int = typer.Option(1024, "--units"),
    as_json: bool = JSON,
) -> None:
    """Why CNNs: one dense layer on a flattened image, H*W*C*units + units."""
    n = calc.image_dense_params(height, width, channels, units)
    conv = calc.conv2d_params(channels, 32, 3)
    if as_json:
        emit_json({"dense_params": n, "conv3x3_32_params": conv})
        return
    console.print(
        f"{height}x{width}x{channels} -> {units} units: {fmt_int(n)} parameters "
        f"({calc.human(n)}); a Conv2d({channels}->32, K=3) has {fmt_int(conv)}"
    )
