"""The docstring part that ``NetClassifier`` and ``NetRegressor`` share.

Both estimators take the same parameters (``_BaseNet``) and set the same fitted
attributes; each class builds its ``__doc__`` around this text, so it is written once.
"""

_FIT_DOC = """
    Parameters (shared by both nets)
    --------------------------------
    module : None, nn.Module subclass or instance, default=None
        None builds a tabular MLP from ``hidden_layer_sizes``, ``activation``, ``dropout``
        and ``batch_norm``. A class is built with ``module_params`` (its ``in_features`` and
        ``out_features`` arguments, if it has them, are filled in from the data); an
        instance is deep-copied at each fit, never trained in place.
    module_params : dict, default=None
        Keyword arguments of ``module``; ``set_params(module__NAME=v)`` sets one entry.
    hidden_layer_sizes : tuple of int, default=(100,)
    activation : {"relu", "tanh", "logistic", "gelu", "silu", "identity"}, default="relu"
    dropout : float in [0, 1), default=0.0
    batch_norm : bool, default=False
    max_epochs : int, default=100
    batch_size : int, default=128
    lr : float, default=1e-3
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, default="adam"
    weight_decay : float, default=0.0
        L2 penalty, passed to the optimizer.
    lr_scheduler : {None, "cosine", "plateau"}, default=None
        Other schedulers: pass a skorch ``LRScheduler`` in ``callbacks``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified for classifiers), stop
        when the validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs, and restore the weights of the best epoch (``best_epoch_``).
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    callbacks : list of skorch callbacks, default=None
        Extra callbacks; copied at each fit.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        Resolved at fit into ``device_``; see :func:`ensembles.resolve_device`.
    n_jobs : int or None, default=1
        torch CPU threads while fitting and predicting (restored afterwards); -1 uses
        every core, None leaves torch's process-wide setting alone. One thread is the
        default because small tabular nets gain little from more, and lose badly when
        the cores are shared: on 2 cores with another process busy, 40 epochs on
        breast_cancer took 0.12 s with 1 thread and 0.25 s with 2 (docs/benchmarks.md).
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation split.
    verbose : int, default=0
        0 prints nothing; 1 prints skorch's per-epoch table.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net.
    history_ : dict of lists
        Per epoch: ``epoch``, ``train_loss``, ``valid_loss`` (with early stopping),
        ``train_<metric>``, ``valid_<metric>``, ``eval_loss`` and ``eval_<metric>`` (with
        ``fit(..., eval_set=...)``), ``dur`` (seconds). ``<metric>`` is ``accuracy`` for
        the classifier, ``r2`` for the regressor. Train metrics are taken on the training
        batches as they are seen (as skorch does), so they include dropout; eval ones are
        taken after the epoch, in eval mode (no dropout), without sample weights.
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        With early stopping: the epoch (1-based) whose weights were restored.
    device_ : str
        The device the net was trained on.
    n_features_in_, feature_names_in_ :
        As in scikit-learn.
"""
