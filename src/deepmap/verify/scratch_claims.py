"""Claims of the map's "how networks learn" section, computed by the NumPy scratch engine and
checked against PyTorch on the same weights and inputs."""

from __future__ import annotations

import math

import numpy as np

from deepmap.verify.registry import Claim

_RNG_SEED = 0


def _collapse_residual(backend: str) -> float:
    """Max |two stacked linear layers - one linear layer W2 W1, b = W2 b1 + b2|."""
    rng = np.random.default_rng(_RNG_SEED)
    x = rng.standard_normal((32, 20))
    w1, b1 = rng.standard_normal((30, 20)), rng.standard_normal(30)
    w2, b2 = rng.standard_normal((5, 30)), rng.standard_normal(5)
    one = x @ (w2 @ w1).T + (w2 @ b1 + b2)
    if backend == "ours":
        from deepmap.scratch import Tensor, nn

        net = nn.Sequential(nn.Linear(20, 30), nn.Linear(30, 5))
        net[0].weight.data, net[0].bias.data = w1, b1
        net[1].weight.data, net[1].bias.data = w2, b2
        two = net(Tensor(x)).data
    else:
        import torch

        t = torch.nn.Sequential(torch.nn.Linear(20, 30), torch.nn.Linear(30, 5)).double()
        with torch.no_grad():
            for layer, w, b in ((t[0], w1, b1), (t[1], w2, b2)):
                layer.weight.copy_(torch.tensor(w))
                layer.bias.copy_(torch.tensor(b))
            two = t(torch.tensor(x)).numpy()
    return round(float(np.abs(two - one).max()), 9)


def _vanishing(backend: str) -> bool:
    """10 layers of width 64, Xavier init: is the first layer's gradient norm under 1% of the
    last layer's with sigmoid, and over 10% with ReLU (He init)?"""
    ratios = {}
    for act in ("sigmoid", "relu"):
        rng = np.random.default_rng(_RNG_SEED)
        std = (
            (lambda i, o: math.sqrt(2 / (i + o)))
            if act == "sigmoid"
            else (lambda i, o: math.sqrt(2 / i))
        )
        ws = [rng.normal(0, std(64, 64), (64, 64)) for _ in range(10)]
        x = rng.standard_normal((128, 64))
        if backend == "ours":
            from deepmap.scratch import Tensor

            params = [Tensor(w, requires_grad=True) for w in ws]
            h = Tensor(x)
            for w in params:
                h = (h @ w.T).sigmoid() if act == "sigmoid" else (h @ w.T).relu()
            (h * h).mean().backward()
            norms = [float(np.linalg.norm(p.grad)) for p in params]
        else:
            import torch

            params = [torch.tensor(w, requires_grad=True) for w in ws]
            h = torch.tensor(x)
            for w in params:
                h = torch.sigmoid(h @ w.T) if act == "sigmoid" else torch.relu(h @ w.T)
            (h * h).mean().backward()
            norms = [float(p.grad.norm()) for p in params]
        ratios[act] = norms[0] / norms[-1]
    return ratios["sigmoid"] < 0.01 and ratios["relu"] > 0.1


def _xavier_std(backend: str) -> float:
    if backend == "ours":
        from deepmap.scratch import init

        return init.xavier_std(784, 256)
    import torch

    t = torch.empty(256, 784)
    torch.manual_seed(_RNG_SEED)
    torch.nn.init.xavier_normal_(t)
    return float(t.std())


def _he_std(backend: str) -> float:
    if backend == "ours":
        from deepmap.scratch import init

        return init.he_std(784)
    import torch

    t = torch.empty(256, 784)
    torch.manual_seed(_RNG_SEED)
    torch.nn.init.kaiming_normal_(t, nonlinearity="relu")
    return float(t.std())


def _adam_defaults(backend: str) -> list[float]:
    if backend == "ours":
        from deepmap.scratch import Tensor, optim

        opt = optim.Adam([Tensor([0.0], requires_grad=True)])
        return [opt.b1, opt.b2]
    import torch

    return list(torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults["betas"])


def _dropout_inference_scale(backend: str) -> float:
    """p = 0.5. Ours: the classic dropout's inference output for an activation of 1.
    torch: (1 - p) x the mean training output of its inverted dropout (the same expectation)."""
    if backend == "ours":
        from deepmap.scratch import Tensor, nn

        d = nn.Dropout(0.5, mode="classic").eval()
        return float(d(Tensor(np.ones(4))).data[0])
    import torch

    torch.manual_seed(_RNG_SEED)
    return round(0.5 * float(torch.nn.Dropout(0.5)(torch.ones(1_000_000)).mean()), 2)


def _recurrent_ratio(backend: str, kind: str) -> float:
    if backend == "ours":
        from deepmap.scratch import nn

        return getattr(nn, kind)(128, 128).n_parameters() / nn.RNN(128, 128).n_parameters()
    import torch

    def count(m):
        return sum(p.numel() for p in m.parameters())

    return count(getattr(torch.nn, kind)(128, 128)) / count(torch.nn.RNN(128, 128))


CLAIMS: list[Claim] = [
    Claim(
        "scratch.linear.collapse",
        "ANN 2",
        "stacked linear layers without activation collapse to one linear map (max |diff|)",
        0.0,
        lambda: _collapse_residual("ours"),
        lambda: _collapse_residual("torch"),
        "torch.nn.Linear",
    ),
    Claim(
        "scratch.sigmoid.vanishing",
        "ANN 2",
        "sigmoid's gradient vanishes through 10 layers (first layer < 1% of last), ReLU's not",
        True,
        lambda: _vanishing("ours"),
        lambda: _vanishing("torch"),
        "torch autograd",
    ),
    Claim(
        "scratch.init.xavier",
        "ANN 7",
        "Xavier std sqrt(2/(in+out)): 784 -> 256 gives 0.0439",
        0.0439,
        lambda: _xavier_std("ours"),
        lambda: _xavier_std("torch"),
        "torch.nn.init.xavier_normal_ (sample std)",
        map_rtol=0.01,
        ref_rtol=0.02,
    ),
    Claim(
        "scratch.init.he",
        "ANN 7",
        "He std sqrt(2/in): 784 inputs give 0.0505",
        0.0505,
        lambda: _he_std("ours"),
        lambda: _he_std("torch"),
        "torch.nn.init.kaiming_normal_ (sample std)",
        map_rtol=0.01,
        ref_rtol=0.02,
    ),
    Claim(
        "scratch.adam.betas",
        "ANN 5",
        "Adam: beta1 = 0.9, beta2 = 0.999",
        [0.9, 0.999],
        lambda: _adam_defaults("ours"),
        lambda: _adam_defaults("torch"),
        "torch.optim.Adam defaults",
    ),
    Claim(
        "scratch.dropout.scale",
        "ANN 6",
        "dropout p = 0.5: at inference all active, scaled by 1 - p = 0.5",
        0.5,
        lambda: _dropout_inference_scale("ours"),
        lambda: _dropout_inference_scale("torch"),
        "torch.nn.Dropout (inverted; same expectation)",
        ref_rtol=0.01,
    ),
    Claim(
        "scratch.lstm.ratio",
        "RNN 6",
        "an LSTM has 4x the parameters of a vanilla RNN (scratch layers)",
        4.0,
        lambda: _recurrent_ratio("ours", "LSTM"),
        lambda: _recurrent_ratio("torch", "LSTM"),
        "torch.nn.LSTM / RNN",
    ),
    Claim(
        "scratch.gru.ratio",
        "RNN 6",
        "a GRU has 3x the parameters of a vanilla RNN (scratch layers)",
        3.0,
        lambda: _recurrent_ratio("ours", "GRU"),
        lambda: _recurrent_ratio("torch", "GRU"),
        "torch.nn.GRU / RNN",
    ),
]
