"""What the coach knows of a run's data: sample counts, class counts and the scale of each feature as the model
sees it (after the spec's normalisation). Filled by studio.data.summary from a loaded dataset, or only the
sample counts from a run's Started event when the data cannot be loaded here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LEAK_SHARE = 0.99  # one feature explains 99 % of the target's variance (classes: η², numbers: r²) on its own:
# honest features of real tables stay far below (wine's best, flavanoids, 0.73); a copy of the answer is 1


@dataclass
class DataSummary:
    train_samples: int = 0
    val_samples: int = 0
    test_samples: int = 0
    task: str = ""  # classification | regression | "" (unknown)
    kind: str = ""  # table | image | series | ""
    normalize: str = "none"  # the spec's data.normalize
    class_counts: list[int] = field(default_factory=list)  # training split, by class id
    feature_means: list[float] = field(default_factory=list)  # per feature (last axis), as the model sees it
    feature_stds: list[float] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)
    target_mean: float | None = None  # regression, in the units the loss is computed in
    target_var: float | None = None
    target_mean_abs_dev: float | None = None  # mean |y - median|: the error of always predicting the median
    leaky_features: list[str] = field(default_factory=list)  # features that alone give the target away
    naive_baseline: dict[str, dict[str, float]] = field(default_factory=dict)  # series: "repeat the last value"

    @property
    def known(self) -> bool:
        """Whether the data itself was read (not just the sample counts)."""
        return bool(self.task)

    @property
    def num_classes(self) -> int:
        return len(self.class_counts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DataSummary:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in names})
