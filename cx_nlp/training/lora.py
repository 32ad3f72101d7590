"""Adapt the encoder itself: LoRA adapters (``peft``) or full fine-tuning, with per-epoch checkpoints.

Training: the encoder (with LoRA adapters on the attention ``query``/``value`` projections, or every
weight in full mode) and a temporary linear head are trained on whole texts (mean-pooled, L2-normalised,
the pooling the analyzer uses), early-stopped on validation loss. The final head is fitted afterwards on
embeddings from the adapted encoder (``fit_head``: calibrated, thresholds), so the saved head sees
exactly what ``Analyzer.predict`` will give it.

Saving and loading need no ``peft``: an adapter is ``adapter.safetensors`` (``<module>.lora_A.weight``,
``<module>.lora_B.weight`` keyed by the Hugging Face module path) + ``adapter.json`` (rank, alpha), and
``apply_adapter`` merges ``W += B @ A * alpha / r`` into the loaded encoder, so inference costs nothing
extra. A fully fine-tuned encoder is saved as a Hugging Face folder ``encoder/`` (safetensors only)
whose file hashes are recorded in the manifest.

Resume: after every epoch ``<cache>/adapt/`` holds the trainable weights, the optimiser state and the
early-stopping state; each epoch re-seeds torch and the shuffle from (seed, epoch), so a resumed run
continues exactly where a killed one stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..errors import CxError

ADAPTER_FORMAT = 1
ENCODER_SAFE_SUFFIXES = {".safetensors", ".json", ".txt", ".model"}


@dataclass
class AdaptSettings:
    mode: str = "lora"                   # "lora" | "full"
    r: int = 8
    alpha: int = 16
    dropout: float = 0.1
    target_modules: list[str] = field(default_factory=lambda: ["query", "value"])
    epochs: int = 3
    patience: int = 1
    batch_size: int = 16
    max_length: int = 128
    lr: float | None = None              # default: 3e-4 (lora) or 3e-5 (full)
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    seed: int = 13

    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (3e-4 if self.mode == "lora" else 3e-5)


def peft_available() -> bool:
    try:
        import peft  # noqa: F401
    except ImportError:
        return False
    return True


def fingerprint(texts: Sequence[str], y: np.ndarray, extra: dict) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\x1e")
    h.update(np.ascontiguousarray(y).tobytes())
    h.update(json.dumps(extra, sort_keys=True).encode())
    return h.hexdigest()


# ------------------------------------------------------------------------------------------ training
def _pool(hidden, mask):
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
    return torch.nn.functional.normalize(pooled, dim=-1)


def _save_atomic(tensors: dict, path: Path) -> None:
    from safetensors.torch import save_file

    tmp = path.with_suffix(".tmp")
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp))
    os.replace(tmp, path)


def _optimizer_tensors(opt, params: list) -> dict:
    out = {}
    for i, p in enumerate(params):
        st = opt.state.get(p, {})
        for k, v in st.items():
            import torch

            out[f"opt.{i}.{k}"] = v if torch.is_tensor(v) else torch.tensor(float(v))
    return out


def _load_optimizer(opt, params: list, tensors: dict) -> None:
    state = {}
    for key, v in tensors.items():
        if not key.startswith("opt."):
            continue
        _, i, k = key.split(".", 2)
        state.setdefault(int(i), {})[k] = v
    sd = opt.state_dict()
    sd["state"] = state
    opt.load_state_dict(sd)


def adapt_encoder(model, tokenizer, prefix: str, texts: Sequence[str], y: np.ndarray, kind: str, n_labels: int,
                  valid_texts: Sequence[str], valid_y: np.ndarray, settings: AdaptSettings,
                  weights: np.ndarray | None = None, pos_weight: np.ndarray | None = None,
                  checkpoint_dir: Path | None = None, resume: bool = False, device: str = "cpu",
                  progress: Callable[[str, int, int], None] | None = None, say: Callable[[str], None] | None = None):
    """Train adapters (or all weights) of ``model`` in place; return the best trainable state
    (``{name: tensor}``: LoRA A/B by module path, or the full state dict) and a log of epochs."""
    import torch
    from torch import nn

    say = say or (lambda m: None)
    if settings.mode == "lora":
        if not peft_available():
            raise CxError("E503", "LoRA training needs the `peft` package", hint="pip install 'cx-nlp[train]'")
        from peft import LoraConfig, get_peft_model

        cfg = LoraConfig(r=settings.r, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                         target_modules=list(settings.target_modules), bias="none")
        torch.manual_seed(settings.seed)  # LoRA A matrices start random: seeded
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # transformers deprecation noise inside peft
            net = get_peft_model(model, cfg)
    elif settings.mode == "full":
        net = model
        for p in net.parameters():
            p.requires_grad_(True)
    else:
        raise ValueError(f"[E301] mode must be 'lora' or 'full', not {settings.mode!r}")
    net.to(device)
    torch.manual_seed(settings.seed + 7919)
    head = nn.Linear(int(model.config.hidden_size), n_labels).to(device)
    scale = 20.0  # normalised vectors have norm 1: a fixed logit scale lets a linear head separate them
    enc_params = [p for p in net.parameters() if p.requires_grad]
    params = enc_params + list(head.parameters())
    opt = torch.optim.AdamW([{"params": enc_params, "lr": settings.learning_rate()},
                             {"params": list(head.parameters()), "lr": settings.head_lr}],
                            weight_decay=settings.weight_decay)
    w_all = torch.from_numpy(np.ones(len(texts), np.float32) if weights is None else weights.astype(np.float32))
    tpw = torch.from_numpy(pos_weight.astype(np.float32)).to(device) if pos_weight is not None else None

    def batch_loss(batch_texts, yb, wb, train: bool):
        enc = tokenizer([prefix + t for t in batch_texts], truncation=True, max_length=settings.max_length,
                        padding=True, return_tensors="pt")
        ids, mask = enc["input_ids"].to(device), enc["attention_mask"].to(device)
        hidden = net(input_ids=ids, attention_mask=mask).last_hidden_state
        logits = head(_pool(hidden, mask) * scale)
        if kind == "single":
            loss = nn.functional.cross_entropy(logits, torch.as_tensor(yb, dtype=torch.long, device=device),
                                               reduction="none")
        else:
            loss = nn.functional.binary_cross_entropy_with_logits(
                logits, torch.as_tensor(yb, dtype=torch.float32, device=device), reduction="none",
                pos_weight=tpw if train else None).mean(1)
        wb = wb.to(device)
        return (loss * wb).sum() / wb.sum()

    def trainable_state() -> dict:
        if settings.mode == "lora":
            from peft import get_peft_model_state_dict

            sd = get_peft_model_state_dict(net)
            return {_module_key(k): v.detach().clone().cpu() for k, v in sd.items()}
        return {k: v.detach().clone().cpu() for k, v in model.state_dict().items()}

    start_epoch, best, bad, log = 0, float("inf"), 0, []
    best_state = None
    ck = Path(checkpoint_dir) if checkpoint_dir else None
    # epochs and patience may change on resume (train longer); everything else must match
    fp = fingerprint(list(texts) + ["\x1d"] + list(valid_texts), np.concatenate([np.ravel(y), np.ravel(valid_y)]),
                     {k: v for k, v in asdict(settings).items() if k not in ("epochs", "patience")})
    if ck is not None:
        ck.mkdir(parents=True, exist_ok=True)
        state_path = ck / "state.json"
        if state_path.is_file():
            st = json.loads(state_path.read_text())
            if not resume:
                pass  # a fresh run overwrites stale checkpoints
            elif st.get("fingerprint") != fp:
                raise CxError("E405", f"the checkpoints in {ck} come from other data or settings",
                              hint="rerun without --resume (or with --overwrite)")
            else:
                from safetensors.torch import load_file

                last = load_file(str(ck / "last.safetensors"))
                own = {k[len("enc."):]: v for k, v in last.items() if k.startswith("enc.")}
                named = dict((n, p) for n, p in net.named_parameters() if p.requires_grad)
                with torch.no_grad():
                    for n, v in own.items():
                        named[n].copy_(v)
                    head.weight.copy_(last["head.weight"])
                    head.bias.copy_(last["head.bias"])
                _load_optimizer(opt, params, last)
                start_epoch, best, bad, log = st["epoch"], st["best"], st["bad"], st["log"]
                best_state = load_file(str(ck / "best.safetensors")) if (ck / "best.safetensors").is_file() else None
                say(f"resuming after epoch {start_epoch} (best validation loss {best:.4f})")
    n = len(texts)
    bs = settings.batch_size
    steps = (n + bs - 1) // bs
    for epoch in range(start_epoch, settings.epochs):
        if bad > settings.patience:
            break
        torch.manual_seed(settings.seed * 1000 + epoch)
        order = np.random.default_rng(settings.seed * 1000 + epoch).permutation(n)
        net.train()
        head.train()
        total = 0.0
        for s in range(steps):
            b = order[s * bs:(s + 1) * bs]
            opt.zero_grad()
            loss = batch_loss([texts[i] for i in b], y[b], w_all[b], train=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            total += loss.item()
            if progress:
                progress(f"epoch {epoch + 1}/{settings.epochs}", s + 1, steps)
        net.eval()
        head.eval()
        with torch.no_grad():
            vl, vn = 0.0, 0
            for s in range(0, len(valid_texts), 64):
                vb = list(range(s, min(s + 64, len(valid_texts))))
                k = len(vb)
                vl += float(batch_loss([valid_texts[i] for i in vb], valid_y[vb], torch.ones(k), train=False)) * k
                vn += k
        vloss = vl / max(vn, 1)
        log.append({"epoch": epoch + 1, "train_loss": round(total / max(steps, 1), 5), "valid_loss": round(vloss, 5)})
        say(f"epoch {epoch + 1}: train loss {total / max(steps, 1):.4f}, valid loss {vloss:.4f}")
        if vloss < best - 1e-4:
            best, bad = vloss, 0
            best_state = trainable_state()
            if ck is not None:
                _save_atomic(best_state, ck / "best.safetensors")
        else:
            bad += 1
        if ck is not None:
            cur = {f"enc.{n_}": p for n_, p in net.named_parameters() if p.requires_grad}
            cur.update({"head.weight": head.weight, "head.bias": head.bias})
            cur.update(_optimizer_tensors(opt, params))
            _save_atomic(cur, ck / "last.safetensors")
            tmp = ck / "state.json.tmp"
            tmp.write_text(json.dumps({"fingerprint": fp, "epoch": epoch + 1, "best": best, "bad": bad, "log": log}))
            os.replace(tmp, ck / "state.json")
        if bad > settings.patience:
            break
    if best_state is None:
        best_state = trainable_state()
    if settings.mode == "lora":
        net.unload()  # hand back the plain model (adapters removed); the caller applies the saved state
    else:
        model.load_state_dict(best_state)  # the best epoch's weights, not the last one's
        model.eval()
    return best_state, log


def _module_key(peft_key: str) -> str:
    """``base_model.model.encoder.layer.0.attention.self.query.lora_A.weight`` -> ``encoder.layer.0...lora_A.weight``."""
    k = re.sub(r"^base_model\.model\.", "", peft_key)
    return k.replace(".lora_A.default.", ".lora_A.").replace(".lora_B.default.", ".lora_B.")


# ------------------------------------------------------------------------------------------ saving
def save_adapter(folder: Path, state: dict, settings: AdaptSettings, base: dict) -> dict:
    """Write ``adapter.safetensors`` + ``adapter.json``; return the manifest entry."""
    _save_atomic(dict(sorted(state.items())), Path(folder) / "adapter.safetensors")
    cfg = {"type": "lora", "format": ADAPTER_FORMAT, "r": settings.r, "alpha": settings.alpha,
           "scaling": settings.alpha / settings.r, "target_modules": list(settings.target_modules),
           "base_encoder": base}
    (Path(folder) / "adapter.json").write_text(json.dumps(cfg, indent=2))
    return {"type": "lora", "weights": "adapter.safetensors", "config": "adapter.json"}


def apply_adapter(model, folder: Path, entry: dict) -> int:
    """Merge a saved LoRA adapter into ``model`` (a Hugging Face encoder); returns the merged layer count."""
    import torch
    from safetensors.torch import load_file

    folder = Path(folder)
    cfg = json.loads((folder / entry.get("config", "adapter.json")).read_text())
    if cfg.get("type") != "lora" or cfg.get("format") != ADAPTER_FORMAT:
        raise CxError("E203", f"{folder}: unsupported adapter {cfg.get('type')} format {cfg.get('format')}")
    tensors = load_file(str(folder / entry.get("weights", "adapter.safetensors")))
    modules = dict(model.named_modules())
    scaling = float(cfg["scaling"])
    merged = 0
    with torch.no_grad():
        for key, a in sorted(tensors.items()):
            if ".lora_A." not in key:
                continue
            path = key.split(".lora_A.")[0]
            b = tensors.get(f"{path}.lora_B.weight")
            mod = modules.get(path)
            if b is None or mod is None or not hasattr(mod, "weight"):
                raise CxError("E104", f"{folder}: adapter layer {path!r} does not fit this encoder",
                              hint="load it with the encoder it was trained on")
            delta = (b.float() @ a.float()) * scaling
            if delta.shape != mod.weight.shape:
                raise CxError("E104", f"{folder}: adapter layer {path!r} has shape {tuple(delta.shape)}, "
                              f"the encoder {tuple(mod.weight.shape)}")
            mod.weight += delta.to(mod.weight.dtype)
            merged += 1
    return merged


def save_encoder_folder(model, tokenizer, folder: Path, prefix: str) -> dict:
    """A fully fine-tuned encoder as a Hugging Face folder (safetensors only); returns {file: sha256}."""
    from ..model_folder import sha256

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder), safe_serialization=True)
    tokenizer.save_pretrained(str(folder))
    (folder / "cx_nlp_encoder.json").write_text(json.dumps({"prefix": prefix}))
    files = {}
    for p in sorted(folder.iterdir()):
        if p.is_file():
            if p.suffix not in ENCODER_SAFE_SUFFIXES:
                p.unlink()  # never ship pickles or other formats
                continue
            files[p.name] = sha256(p)
    return files


def verified_encoder_folder(folder: Path, enc_info: dict, verify: bool = True) -> Path:
    """The ``encoder/`` folder of a model, after checking its files against the manifest's hashes."""
    from ..model_folder import sha256

    sub = Path(folder) / enc_info["path"]
    files = enc_info.get("files") or {}
    if not sub.is_dir() or not files:
        raise CxError("E201", f"{folder}: the manifest names encoder folder {enc_info['path']!r} but it is missing")
    for p in sub.iterdir():
        if p.is_file() and (p.suffix not in ENCODER_SAFE_SUFFIXES or p.name not in files):
            raise CxError("E201", f"{sub}: unexpected file {p.name!r} (only the listed safetensors/JSON files load)")
    for name, digest in files.items():
        p = sub / name
        if not p.is_file():
            raise CxError("E201", f"{sub} is missing {name}, listed in the manifest")
        if verify and sha256(p) != digest:
            raise CxError("E202", f"{p} does not match its SHA-256 in the manifest")
    return sub
