"""``ganforge sweep``: a budgeted hyper-parameter search over training configs, built on Optuna (needs the
``sweep`` extra). ``space`` reads and checks search spaces; ``study`` holds the study's storage, sampler, pruner
and definition; ``search`` runs trials on this machine; ``report`` says what a study found."""
