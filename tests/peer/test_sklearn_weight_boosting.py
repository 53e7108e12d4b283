"""scikit-learn's sklearn/ensemble/tests/test_weight_boosting.py, run against our classes.

Intentionally empty: tests/peer/conftest.py collects this file as scikit-learn's test
module, read from the installed wheel, with our ensembles bound to its names.
"""
