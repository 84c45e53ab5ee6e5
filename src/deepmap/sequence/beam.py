"""Beam search with a length penalty, step for step Hugging Face's `generate(num_beams=...)`.

Each prompt keeps `num_beams` running hypotheses. At every step:

1. log p(v | hypothesis) for every hypothesis and token (log_softmax of the logits, then
   the repetition penalty if any), added to the hypothesis' running sum of log-probs;
2. the best K = 2 · num_beams (hypothesis, token) continuations of all beams are kept
   (2x, so that num_beams of them can still run when some end with eos);
3. continuations ending in eos, or reaching max_new_tokens, are *finished*: those among
   the top num_beams enter the finished pool with the score
       score = sum_t log p(y_t) / (generated length) ** length_penalty
   (length counts the generated tokens, eos included: length_penalty > 0 favours longer
   sequences, < 0 shorter ones); the pool keeps its num_beams best;
4. the best num_beams unfinished continuations are the next running beams, and the
   model's state follows them (`stepper.select`).

The search stops when no continuation can run (max_new_tokens), or, per
`early_stopping`: True, when every prompt has num_beams finished hypotheses; False, when
the best running sum divided by the *current* length ** length_penalty can't beat the worst
finished score (HF's heuristic); "never", the same bound taken at the longest length when
length_penalty > 0 (the exact rule). The first step expands only beam 0 (the others start
at -1e9), so the beams don't all pick the same token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from deepmap.errors import InputError
from deepmap.sequence.sampling import apply_repetition_penalty
from deepmap.validate import check_float, check_int

if TYPE_CHECKING:
    import torch

    from deepmap.sequence.decoding import GenerationResult, Stepper

__all__ = ["beam_search"]

_NEG = -1.0e9  # the "impossible" score HF uses (not -inf, so sums stay finite)


def _gather(t: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """t[b, index[b, j], ...] for every b, j: pick beams along dim 1."""
    import torch

    while index.dim() < t.dim():
        index = index.unsqueeze(-1)
    return torch.take_along_dim(t, index, dim=1)


def beam_search(
    stepper: Stepper,
    prompt: torch.Tensor,
    *,
    num_beams: int,
    max_new_tokens: int,
    length_penalty: float = 1.0,
    early_stopping: bool | Literal["never"] = False,
    num_return_sequences: int = 1,
    eos_token_id: int | None = None,
    pad_token_id: int | None = None,
    repetition_penalty: float = 1.0,
) -> GenerationResult:
    """Beam search over `prompt` (batch, t) through `stepper`; see the module docstring.

    Returns the `num_return_sequences` best finished hypotheses per prompt (best first),
    prompt included, with their length-penalised scores.
    """
    import torch

    from deepmap.sequence.decoding import GenerationResult

    nb = check_int("num_beams", num_beams, low=1)
    check_int("max_new_tokens", max_new_tokens, low=1)
    lp = check_float("length_penalty", length_penalty)
    check_int("num_return_sequences", num_return_sequences, low=1, high=nb)
    check_float("repetition_penalty", repetition_penalty, low=0.0, low_open=True)
    if early_stopping not in (True, False, "never"):
        raise InputError(f"early_stopping must be True, False or 'never'. Got {early_stopping!r}.")
    for name, value in (("eos_token_id", eos_token_id), ("pad_token_id", pad_token_id)):
        if value is not None:
            check_int(name, value, low=0)

    batch, prompt_len = prompt.shape
    max_len = prompt_len + max_new_tokens
    k = 2 * nb  # candidates kept per step: max(2, 1 + number of eos ids) · num_beams
    fill = pad_token_id if pad_token_id is not None else eos_token_id
    fill = -1 if fill is None else fill
    flat = prompt.repeat_interleave(nb, dim=0)  # (batch · nb, t), as HF expands before prefill
    logits, state = stepper.step(flat, None)
    dev = logits.device  # the model's device from here on
    prompt, flat = prompt.to(dev), flat.to(dev)

    running = torch.full((batch, nb, max_len), fill, dtype=torch.int64, device=dev)
    running[:, :, :prompt_len] = prompt[:, None, :]
    finished_seqs = running.clone()
    finished_len = torch.zeros((batch, nb), dtype=torch.int64, device=dev)  # generated tokens
    running_scores = torch.zeros((batch, nb), dtype=torch.float, device=dev)
    running_scores[:, 1:] = _NEG
    finished_scores = torch.full((batch, nb), _NEG, dtype=torch.float, device=dev)
    is_finished = torch.zeros((batch, nb), dtype=torch.bool, device=dev)
    can_improve = torch.ones((batch, 1), dtype=torch.bool, device=dev)
    in_top = torch.arange(k, device=dev) < nb  # only the top num_beams may finish
    batch_offset = torch.arange(batch, device=dev)[:, None] * nb

    cur = prompt_len
    while True:
        logp = torch.log_softmax(logits.float(), dim=-1)  # (batch · nb, V)
        if repetition_penalty != 1.0:
            logp = apply_repetition_penalty(logp, flat, repetition_penalty)
        vocab = logp.size(-1)
        total = (logp.view(batch, nb, vocab) + running_scores[:, :, None]).reshape(batch, -1)
        top_scores, top_idx = torch.topk(total, k=k)  # (batch, k)
        src_beam = top_idx // vocab
        tokens = top_idx % vocab
        top_seqs = _gather(running, src_beam)
        top_seqs[:, :, cur] = tokens

        if cur + 1 >= max_len:
            hits = torch.ones((batch, k), dtype=torch.bool, device=dev)
        elif eos_token_id is not None:
            hits = tokens == eos_token_id
        else:
            hits = torch.zeros((batch, k), dtype=torch.bool, device=dev)

        # 4. the next running beams: the best unfinished continuations
        run_scores = top_scores + hits.to(torch.float32) * _NEG
        keep = torch.topk(run_scores, k=nb)[1]
        running = _gather(top_seqs, keep)
        running_scores = _gather(run_scores, keep)
        parent = _gather(src_beam, keep)

        # 3. the finished pool: length-penalised scores of the top-num_beams that just ended
        just_finished = hits & in_top[None, :]
        fin = top_scores / ((cur + 1 - prompt_len) ** lp)
        pool_full = torch.all(is_finished, dim=-1, keepdim=True) & (early_stopping is True)
        fin += pool_full.to(torch.float32) * _NEG
        fin += (~can_improve).to(torch.float32) * _NEG
        fin += (~just_finished) * _NEG
        merged_seqs = torch.cat((finished_seqs, top_seqs), dim=1)
        merged_scores = torch.cat((finished_scores, fin), dim=1)
        merged_len = torch.cat((finished_len, torch.full_like(top_idx, cur + 1 - prompt_len)), 1)
        merged_fin = torch.cat((is_finished, just_finished), dim=1)
        best = torch.topk(merged_scores, k=nb)[1]
        finished_seqs = _gather(merged_seqs, best)
        finished_scores = _gather(merged_scores, best)
        finished_len = _gather(merged_len, best)
        is_finished = _gather(merged_fin, best)

        cur += 1
        # can a running beam still beat the worst finished one?
        if early_stopping == "never" and lp > 0.0:
            best_len = max_len - prompt_len
        else:
            best_len = cur - prompt_len
        best_possible = running_scores[:, :1] / (best_len**lp)
        worst = torch.where(is_finished, torch.min(finished_scores, dim=1, keepdim=True)[0], _NEG)
        can_improve = can_improve & torch.any(best_possible > worst, dim=-1, keepdim=True)
        all_done = bool(torch.all(is_finished)) and early_stopping is True
        if not bool(torch.any(can_improve)) or all_done or bool(torch.all(hits)):
            break
        state = stepper.select(state, (parent + batch_offset).reshape(-1))
        flat = running[:, :, :cur].reshape(batch * nb, cur)
        logits, state = stepper.step(flat[:, -1:], state)

    sequences: list[list[int]] = []
    scores: list[float] = []
    for b in range(batch):
        for r in range(num_return_sequences):
            n = prompt_len + int(finished_len[b, r])
            sequences.append(finished_seqs[b, r, :n].tolist())
            scores.append(float(finished_scores[b, r]))
    return GenerationResult(sequences=sequences, prompt_length=prompt_len, scores=scores)
