"""Sensitivity and uncertainty analysis: which assumptions decide the answer (issue 16).

``parameters`` lists the assumptions with their ranges and applies values to a copy of the inputs; ``design``
makes the SALib designs; ``evaluate`` runs the points on the study's executor; ``indices`` turns outputs into
swings and indices; ``report`` draws tornado charts and writes the markdown; ``command`` is the CLI command.
"""
