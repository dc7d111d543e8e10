from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    """Tooling production does not run: the synthetic generator, evaluations and benchmarks, and their commands."""

    name = "evaluation"
    verbose_name = "Evaluation"
