"""K nets of one architecture trained as one batched model.

Bagging a net fits K copies that differ only in their seed and their rows (as weights);
the K fold models of a net in ``cross_fit`` differ in seed and rows. Trained one after
the other, a small tabular net spends most of its time in per-batch overhead (Python,
skorch's callbacks, one small matrix product per layer); trained together, one batched
matrix product per layer serves all K, and the overhead is paid once.

Each member here is trained exactly as its own sequential fit would train it: its seed,
early-stopping split and skorch arguments come from the same plan
(``_BaseNet._plan_fit``); its initial weights are built from that seed; its batches are
drawn by the same torch samplers from its own copy of the torch random stream; its loss
is skorch's weighted mean of the batch; Adam (or AdamW) is torch's update, member by
member; early stopping keeps each member's own patience and restores its own best epoch.
What differs is only the floating-point rounding of batched products and sums (float32
tolerance, tests/test_batched.py). The fitted members hold ordinary skorch nets, with
their history and optimizer state, so predicting, pickling and refitting are as before.

Only what this file can train exactly is batched (:func:`batch_refusal` says why not):
the default MLP without dropout or batch normalisation, Adam or AdamW, no learning-rate
schedule, extra callbacks or watched eval set. Everything else is fitted sequentially.
"""

import time

import numpy as np
import torch
from skorch.history import History
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler

from ._torch import non_finite_loss_message

__all__ = ["batch_refusal", "fit_together"]

_ADAM = {"adam": False, "adamw": True}  # name -> decoupled weight decay
_BETAS, _EPS = (0.9, 0.999), 1e-8


def batch_refusal(estimator, fit_params=None):
    """Why ``estimator`` cannot be trained in a batch (a sentence), or None if it can."""
    from .net import _BaseNet

    if not isinstance(estimator, _BaseNet):
        return f"{type(estimator).__name__} is not one of our nets"
    reasons = {
        "a custom module": estimator.module is not None,
        "dropout (each member would need its own dropout stream)": bool(estimator.dropout),
        "batch normalisation": bool(estimator.batch_norm),
        "a learning-rate schedule": estimator.lr_scheduler is not None,
        "extra callbacks": bool(estimator.callbacks),
        f"optimizer={estimator.optimizer!r} (Adam and AdamW are batched)":
            not (isinstance(estimator.optimizer, str) and estimator.optimizer in _ADAM),
        "fit parameters other than sample_weight":
            bool(set(fit_params or {}) - {"sample_weight"}),
    }
    found = [reason for reason, present in reasons.items() if present]
    return None if not found else "it has " + " and ".join(found)


def _group_key(estimator, X):
    params = estimator.get_params(deep=False)
    params.pop("random_state")
    return type(estimator), repr(sorted(params.items())), np.shape(X)[1]


def fit_together(tasks):
    """Fit ``tasks`` = [(net, X, y, fit_params), ...], batching nets that can be.

    Nets of one class with the same parameters (``random_state`` aside) and the same
    number of features are trained as one batch; the others are fitted one by one.
    Returns, in the order of ``tasks``, each fitted net or the exception its fit raised
    (as the engine's workers do), so a caller names the member that failed.
    """
    results = [None] * len(tasks)
    groups = {}
    for i, (estimator, X, _, fit_params) in enumerate(tasks):
        if batch_refusal(estimator, fit_params) is None:
            groups.setdefault(_group_key(estimator, X), []).append(i)
    for indices in groups.values():
        prepared = {}
        for i in indices:
            estimator, X, y, fit_params = tasks[i]
            try:
                estimator._validate_params()
                args = estimator._fit_args(X, y, fit_params.get("sample_weight"), None)
                plan = estimator._plan_fit(**args)
            except Exception as exc:  # noqa: BLE001 - returned, named by the caller
                results[i] = exc
                continue
            # Members of one batch must also agree on what validation made of their data.
            key = (args["n_out"], args["criterion"], plan.device)
            prepared.setdefault(key, []).append((i, estimator, args, plan))
        for items in prepared.values():
            if len(items) == 1:
                continue  # nothing to share: fitted below like any other
            try:
                _train(*zip(*[item[1:] for item in items], strict=True))
            except Exception as exc:  # noqa: BLE001 - returned, named by the caller
                for i, *_ in items:
                    results[i] = exc
                continue
            for i, estimator, *_ in items:
                results[i] = estimator
    for i, (estimator, X, y, fit_params) in enumerate(tasks):
        if results[i] is None:
            try:
                results[i] = estimator.fit(X, y, **fit_params)
            except Exception as exc:  # noqa: BLE001 - returned, named by the caller
                results[i] = exc
    return results


class _Member:
    """One member's data, random stream and training state inside the batch."""

    def __init__(self, estimator, plan, module):
        self.estimator, self.plan, self.module = estimator, plan, module
        self.rng_state = torch.get_rng_state()  # right after its weights were drawn
        self.X = plan.X_fit["X"]
        self.w = plan.X_fit["sample_weight"]
        self.y = plan.y_fit
        kwargs = plan.net_kwargs
        rows = _RowCount(len(self.y))
        sampler = (RandomSampler(rows) if kwargs["iterator_train__shuffle"]
                   else SequentialSampler(rows))
        # The loaders skorch's net builds (WeightedNet.get_iterator), over row numbers:
        # iterating them draws from the torch stream exactly as the sequential fit does.
        self.train_loader = DataLoader(
            rows, batch_size=None, sampler=BatchSampler(sampler, kwargs["batch_size"], False))
        self.valid_loader = None
        if plan.valid is not None:
            n_valid = len(plan.valid)
            self.valid_loader = DataLoader(
                _RowCount(n_valid), batch_size=None,
                sampler=BatchSampler(SequentialSampler(range(n_valid)),
                                     kwargs["batch_size"], False))
        self.history = History()
        self.stopped = False
        self.steps = 0
        self.best = (np.inf, 0, None)  # (threshold, epoch, weights)
        self.misses = 0

    def epoch_batches(self):
        """This epoch's training batches (row numbers), drawn as skorch would."""
        torch.set_rng_state(self.rng_state)
        batches = [np.asarray(rows) for rows in self.train_loader]
        if self.valid_loader is not None:
            iter(self.valid_loader)  # the validation loader's draw of each epoch
        self.rng_state = torch.get_rng_state()
        return batches


class _RowCount(torch.utils.data.Dataset):
    """A dataset of ``n`` rows whose batch is its row numbers."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, rows):
        return np.asarray(rows)  # the loader converts an array at once, a list per item


def _train(estimators, args_list, plans):
    """Train ``estimators`` (of one class and parameters, planned on one device)
    together; each ends fitted as its own ``fit`` would leave it."""
    from .net import _CONCURRENT_FITS, _torch_threads

    template = estimators[0]
    with _CONCURRENT_FITS.fitting(), plans[0].rng(), _torch_threads(template.n_jobs):
        members = []
        for estimator, plan, args in zip(estimators, plans, args_list, strict=True):
            torch.manual_seed(plan.seed)
            module = estimator._build_module(args["X"].shape[1], args["n_out"])
            members.append(_Member(estimator, plan, module))
        batch = _Batch(members, template, plans[0].device, args_list[0]["criterion"])
        batch.run()
        for member in members:
            net = member.plan.net(member.module)
            net.initialize()
            net.history = member.history
            batch.store(member, net)
            member.estimator._finish_fit(net, member.plan)


class _Batch:
    """The K members' stacked weights, Adam moments and training loop."""

    def __init__(self, members, template, device, criterion):
        self.members, self.template, self.device = members, template, device
        self.K = len(members)
        self.criterion = criterion(reduction="none")
        self.classifier = isinstance(self.criterion, nn.CrossEntropyLoss)
        self.metric_name = template._metric[0]
        self.metric = template._metric[2]
        linears = [[layer for layer in m.module.layers if isinstance(layer, nn.Linear)]
                   for m in members]
        # Weights stored transposed, (K, in, out), for baddbmm.
        self.weights = [torch.stack([lin[j].weight.detach().T for lin in linears])
                        .to(device).contiguous().requires_grad_()
                        for j in range(len(linears[0]))]
        self.biases = [torch.stack([lin[j].bias.detach() for lin in linears])
                       .unsqueeze(1).to(device).requires_grad_()
                       for j in range(len(linears[0]))]
        self.params = [p for pair in zip(self.weights, self.biases, strict=True) for p in pair]
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self.activations = [layer for layer in members[0].module.layers
                            if not isinstance(layer, nn.Linear)]
        self.lr = template.lr
        self.weight_decay = template.weight_decay
        self.decoupled = _ADAM[template.optimizer]
        self.train_data = (self._stack([m.X for m in members], torch.float32),
                           self._stack([m.y for m in members], None),
                           self._stack([m.w for m in members], torch.float32))
        valid = [m.plan.valid for m in members]
        self.has_valid = valid[0] is not None
        if self.has_valid:
            self.valid_data = (
                self._stack([v.X["X"] for v in valid], torch.float32),
                self._stack([v.y for v in valid], None),
                self._stack([v.X["sample_weight"] for v in valid], torch.float32))
        for k, member in enumerate(members):
            member.k = k

    def _stack(self, arrays, dtype):
        """One tensor of every member's rows, and where each member's rows start.

        Members given the same array (bagging: every row, the draw as weights) share
        one copy."""
        first = arrays[0]
        same = all(a is first or np.array_equal(a, first) for a in arrays)
        if same:
            data, offsets = [first], [0] * len(arrays)
        else:
            data, offsets, start = arrays, [], 0
            for a in arrays:
                offsets.append(start)
                start += len(a)
        tensor = torch.as_tensor(np.concatenate(data) if len(data) > 1 else data[0],
                                 device=self.device)
        if dtype is not None:
            tensor = tensor.to(dtype)
        return tensor, torch.as_tensor(offsets, device=self.device)

    # -- the model ---------------------------------------------------------------------
    def forward(self, X):
        """X: (K, B, in) -> (K, B, out), every member on its own rows."""
        h = X
        for j, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b, h, W)
            if j < len(self.activations):
                h = self.activations[j](h)
        return h

    def losses(self, out, y, w):
        """Each member's weighted mean loss (skorch's ``get_loss``) and per-row losses."""
        K, B = out.shape[:2]
        if self.classifier:
            rows = self.criterion(out.reshape(K * B, -1), y.reshape(K * B))
        else:
            rows = self.criterion(out.reshape(K * B, -1), y.reshape(K * B, -1)).mean(dim=1)
        rows = rows.reshape(K, B)
        return (rows * w).sum(dim=1) / w.sum(dim=1).clamp_min(1e-12)

    def gather(self, data, batches, active):
        """The (K, B) batch of every member from ``data`` (X, y and weights, each as
        stacked by ``_stack``); rows past a member's batch get weight 0."""
        B = max((len(b) for b in batches if b is not None), default=0)
        index = np.zeros((self.K, B), dtype=np.int64)
        mask = np.zeros((self.K, B), dtype=bool)
        for k, rows in enumerate(batches):
            if rows is not None and active[k]:
                index[k, : len(rows)] = rows
                mask[k, : len(rows)] = True
        index = torch.as_tensor(index, device=self.device)
        mask = torch.as_tensor(mask, device=self.device)

        def take(stacked):
            tensor, offsets = stacked
            rows = (index + offsets[:, None]).reshape(-1)
            return tensor.index_select(0, rows).reshape(self.K, B, *tensor.shape[1:])

        (X, y, w) = data
        Xb, yb = take(X), take(y)
        wb = torch.where(mask, take(w), 0.0)
        return Xb, yb, wb, mask

    # -- training ----------------------------------------------------------------------
    def run(self):
        members, kwargs = self.members, self.members[0].plan.net_kwargs
        for epoch in range(1, kwargs["max_epochs"] + 1):
            active = [not m.stopped for m in members]
            if not any(active):
                break
            start = time.perf_counter()
            batches = [m.epoch_batches() if a else [] for m, a in zip(members, active,
                                                                       strict=True)]
            train = [{"losses": [], "sizes": [], "pred": [], "true": []} for _ in members]
            for step in range(max(len(b) for b in batches)):
                step_rows = [b[step] if step < len(b) else None for b in batches]
                stepping = [a and r is not None for a, r in zip(active, step_rows,
                                                                  strict=True)]
                Xb, yb, wb, mask = self.gather(self.train_data, step_rows, stepping)
                out = self.forward(Xb)
                loss = self.losses(out, yb, wb)
                for p in self.params:
                    p.grad = None
                loss[torch.as_tensor(stepping, device=self.device)].sum().backward()
                self.adam_step(stepping)
                values = loss.detach().cpu().tolist()
                out, yb = out.detach().cpu().numpy(), yb.cpu().numpy()
                for k, rows in enumerate(step_rows):
                    if stepping[k]:
                        train[k]["losses"].append(values[k])
                        train[k]["sizes"].append(len(rows))
                        train[k]["pred"].append(out[k, : len(rows)])
                        train[k]["true"].append(yb[k, : len(rows)])
            valid = self.validate(active) if self.has_valid else None
            seconds = time.perf_counter() - start
            for k, member in enumerate(members):
                if active[k]:
                    self.record(member, epoch, train[k], None if valid is None else valid[k],
                                seconds)

    def adam_step(self, stepping):
        """torch's Adam/AdamW update (``_single_tensor_adam``) for the stepping members."""
        beta1, beta2 = _BETAS
        idx = [k for k, s in enumerate(stepping) if s]
        for k in idx:
            self.members[k].steps += 1
        steps = {self.members[k].steps for k in idx}
        all_in = len(idx) == self.K and len(steps) == 1
        with torch.no_grad():
            for p, m, v in zip(self.params, self.exp_avg, self.exp_avg_sq, strict=True):
                if all_in:  # the common case (bagging): one update for all
                    self._update(p, p.grad, m, v, self.members[0].steps, beta1, beta2)
                    continue
                for k in idx:  # members at different steps: one at a time
                    self._update(p[k], p.grad[k], m[k], v[k], self.members[k].steps,
                                 beta1, beta2)

    def _update(self, param, grad, exp_avg, exp_avg_sq, step, beta1, beta2):
        if self.weight_decay:
            if self.decoupled:
                param.mul_(1 - self.lr * self.weight_decay)
            else:
                grad = grad.add(param, alpha=self.weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = self.lr / bias_correction1
        denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(_EPS)
        param.addcdiv_(exp_avg, denom, value=-step_size)

    def validate(self, active):
        """Each member's validation loss and outputs, batch by batch as skorch does."""
        members, size = self.members, self.members[0].plan.net_kwargs["batch_size"]
        n_valid = [len(m.plan.valid) for m in members]
        results = [{"losses": [], "sizes": [], "pred": [], "true": []} for _ in members]
        with torch.no_grad():
            for start in range(0, max(n_valid), size):
                rows = [np.arange(start, min(start + size, n)) if start < n else None
                        for n in n_valid]
                rows = [r if r is not None and len(r) else None for r in rows]
                Xb, yb, wb, _ = self.gather(self.valid_data, rows, active)
                out = self.forward(Xb)
                loss = self.losses(out, yb, wb).cpu().tolist()
                out, yb = out.cpu().numpy(), yb.cpu().numpy()
                for k, r in enumerate(rows):
                    if r is not None and active[k]:
                        results[k]["losses"].append(loss[k])
                        results[k]["sizes"].append(len(r))
                        results[k]["pred"].append(out[k, : len(r)])
                        results[k]["true"].append(yb[k, : len(r)])
        return results

    def record(self, member, epoch, train, valid, seconds):
        """The member's epoch in skorch's history, and its early-stopping decision."""
        history, name = member.history, self.metric_name
        history.new_epoch()
        history.record("epoch", epoch)
        for loss, size in zip(train["losses"], train["sizes"], strict=True):
            history.new_batch()
            history.record_batch("train_loss", loss)
            history.record_batch("train_batch_size", size)
        train_loss = float(np.average(train["losses"], weights=train["sizes"]))
        self.check_finite(member, "train_loss", train_loss, epoch)
        history.record("train_loss", train_loss)
        history.record(f"train_{name}", float(self.metric(np.concatenate(train["true"]),
                                                         np.concatenate(train["pred"]))))
        if valid is not None:
            valid_loss = float(np.average(valid["losses"], weights=valid["sizes"]))
            self.check_finite(member, "valid_loss", valid_loss, epoch)
            history.record("valid_loss", valid_loss)
            history.record(f"valid_{name}", float(self.metric(
                np.concatenate(valid["true"]), np.concatenate(valid["pred"]))))
            self.early_stop(member, epoch, valid_loss)
        history.record("dur", seconds)

    def check_finite(self, member, key, value, epoch):
        """The sequential fit's ``FiniteLoss``, naming the member of the batch."""
        if not np.isfinite(value):
            estimator = member.estimator
            owner = (f"{type(estimator).__name__} number {member.k + 1} of the {self.K} "
                     "trained together (batch_nets)")
            raise ValueError(non_finite_loss_message(owner, key, value, epoch,
                                                     estimator._advice()))

    def early_stop(self, member, epoch, valid_loss):
        """skorch's EarlyStopping (abs threshold, load_best), for this member alone."""
        estimator = member.estimator
        if not estimator.early_stopping:
            return
        threshold, _, _ = member.best
        if valid_loss < threshold:
            member.misses = 0
            member.best = (valid_loss - estimator.tol, epoch, self.weights_of(member.k))
        else:
            member.misses += 1
        if member.misses == estimator.n_iter_no_change:
            member.stopped = True

    def weights_of(self, k):
        return [p[k].detach().clone() for p in self.params]

    def store(self, member, net):
        """Write member k's trained weights (its best epoch's, with early stopping) and
        Adam state into its skorch net."""
        k = member.k
        _, best_epoch, best = member.best
        last_epoch = len(member.history)
        weights = best if best is not None and best_epoch != last_epoch else \
            self.weights_of(k)
        linears = [layer for layer in net.module_.layers if isinstance(layer, nn.Linear)]
        with torch.no_grad():
            for j, layer in enumerate(linears):
                layer.weight.copy_(weights[2 * j].T)
                layer.bias.copy_(weights[2 * j + 1].reshape(-1))
        # The optimizer's state as the sequential fit leaves it (its last step).
        moments = {}
        for j, layer in enumerate(linears):
            for i, (param, transpose) in enumerate(((layer.weight, True),
                                                     (layer.bias, False))):
                m = self.exp_avg[2 * j + i][k]
                v = self.exp_avg_sq[2 * j + i][k]
                m, v = (m.T, v.T) if transpose else (m.reshape(-1), v.reshape(-1))
                moments[param] = (m.detach().clone().contiguous(),
                                  v.detach().clone().contiguous())
        optimizer = net.optimizer_
        for param, (m, v) in moments.items():
            optimizer.state[param] = {
                "step": torch.tensor(float(member.steps)),
                "exp_avg": m, "exp_avg_sq": v}
