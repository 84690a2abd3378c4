"""Evaluation: the metric registry (``registry``), feature extractors (``features``: TF Inception, domain
classifiers), what is evaluated (``sources``), reference-statistics caches (``cache``, ``digest``) and the
:class:`~ganforge.metrics.evaluator.Evaluator` that ties them together. Submodules are imported where used."""
