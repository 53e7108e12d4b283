"""A synthetic customer table as CSV: numeric, categorical (text) and missing values, and a
text target. For trying ``ensembles benchmark --csv`` at a realistic size (docs/cli.md).

    python benchmarks/make_csv.py big.csv --rows 50000

Columns: ``age``, ``income``, ``tenure``, ``visits``, ``balance``, ``score`` (numeric;
``income``, ``balance`` and ``score`` have missing values), ``plan`` (3 levels),
``region`` (5 levels, some missing), ``device`` (text booleans ``yes``/``no``), ``city``
(60 levels, more than the one-hot limit of ``ensembles.cli.tabular``) and the target
``churn`` (``"stay"`` or ``"leave"``, about 30% leave). The target depends on numeric
features, on levels of ``plan`` and ``city``, on an interaction, and on whether ``income``
is missing, so both categorical handling and missing-value handling matter.
"""

import argparse

import numpy as np
import pandas as pd


def make_frame(n_rows=50_000, random_state=0, return_proba=False):
    """The table as a DataFrame (see the module docstring); with ``return_proba``, also
    the true probability of ``"leave"`` per row (for the Bayes rule's accuracy)."""
    rng = np.random.RandomState(random_state)
    age = rng.randint(18, 80, size=n_rows).astype(float)
    income = np.round(rng.lognormal(10.5, 0.5, size=n_rows), 2)
    tenure = rng.exponential(4.0, size=n_rows).round(1)
    visits = rng.poisson(3.0, size=n_rows).astype(float)
    balance = rng.normal(1_000, 800, size=n_rows).round(2)
    score = rng.uniform(300, 850, size=n_rows).round()
    plan = rng.choice(["basic", "plus", "premium"], size=n_rows, p=[0.5, 0.3, 0.2])
    region = rng.choice(["north", "south", "east", "west", "centre"], size=n_rows)
    device = rng.choice(["yes", "no"], size=n_rows)
    city_effect = rng.normal(0, 0.8, size=60)
    city_id = rng.randint(60, size=n_rows)
    city = np.array([f"city_{k:02d}" for k in range(60)])[city_id]

    income_missing = rng.rand(n_rows) < 0.08
    logit = (
        -1.2
        + 0.8 * (tenure < 1.5)
        - 0.03 * (age - 45)
        + 0.4 * (visits == 0)
        - 0.9 * (plan == "premium")
        + 0.5 * ((plan == "basic") & (device == "no"))
        + city_effect[city_id]
        + 0.6 * income_missing
        - 0.4 * (np.log(income) - 10.5)
        + 0.3 * (balance < 0)
    )
    proba = 1 / (1 + np.exp(-logit))
    leave = rng.rand(n_rows) < proba

    frame = pd.DataFrame({
        "age": age, "income": income, "tenure": tenure, "visits": visits,
        "balance": balance, "score": score, "plan": plan, "region": region,
        "device": device, "city": city, "churn": np.where(leave, "leave", "stay"),
    })
    frame.loc[income_missing, "income"] = np.nan
    frame.loc[rng.rand(n_rows) < 0.05, "balance"] = np.nan
    frame.loc[rng.rand(n_rows) < 0.02, "score"] = np.nan
    frame["region"] = frame["region"].astype(object)
    frame.loc[rng.rand(n_rows) < 0.04, "region"] = None
    return (frame, proba) if return_proba else frame


def make_csv(path, n_rows=50_000, random_state=0):
    """Write the table to ``path``; returns the path."""
    make_frame(n_rows, random_state).to_csv(path, index=False)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()
    make_csv(args.path, args.rows, args.random_state)
    print(f"wrote {args.rows} rows to {args.path}")
