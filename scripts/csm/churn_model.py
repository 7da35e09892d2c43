"""csm train: fit the churn model on the built warehouse and write it to its seeds.

The training set is one row per account paying on a month's first day
(int_churn__outcomes_monthly) with the features of that day (int_churn__features_daily, known
on the day only) and the label: a churn movement within the next 90 days. The last
`evaluation_months` months whose outcome is fully observed are held out (out of time); the
model is fitted on the months whose 90-day outcome was complete before the first of them.

The model is a logistic regression on standardized features: each feature is transformed as
its seed row says (identity or log1p), centered and scaled by its training mean and standard
deviation, and a missing value counts as the mean (standardized 0). The seeds keep the feature
list and transforms (configuration) and receive the numbers (center, scale, coefficient, and
the intercept, windows and metrics in churn_model.csv); the SQL scores with the same formula.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

COEFFICIENTS_SEED = "seeds/churn_model_coefficients.csv"
MODEL_SEED = "seeds/churn_model.csv"
COEFFICIENT_COLUMNS = ("feature", "transform", "center", "scale", "coefficient")
MODEL_COLUMNS = (
    "intercept",
    "regularization_c",
    "trained_at",
    "training_from_month",
    "training_to_month",
    "evaluation_from_month",
    "evaluation_to_month",
    "training_account_months",
    "training_churn_rate",
    "evaluation_auc",
    "evaluation_brier",
)
TRANSFORMS = ("identity", "log1p")
FEATURES = "main_intermediate.int_churn__features_daily"
OUTCOMES = "main_intermediate.int_churn__outcomes_monthly"


class TrainingError(Exception):
    """A training problem the user can act on (no data, no churn, an unknown transform)."""


@dataclass(frozen=True)
class FeatureSpec:
    feature: str
    transform: str


@dataclass(frozen=True)
class Windows:
    training_from: date
    training_to: date
    evaluation_from: date
    evaluation_to: date


@dataclass(frozen=True)
class TrainedModel:
    coefficients: pd.DataFrame  # COEFFICIENT_COLUMNS
    intercept: float
    regularization_c: float
    windows: Windows
    training_rows: int
    training_churn_rate: float
    evaluation_auc: float
    evaluation_brier: float


def read_specs(project: Path) -> list[FeatureSpec]:
    """The features and their transforms: the coefficients seed's rows (configuration)."""
    with (project / COEFFICIENTS_SEED).open(newline="") as handle:
        specs = [FeatureSpec(row["feature"], row["transform"]) for row in csv.DictReader(handle)]
    unknown = [spec.feature for spec in specs if spec.transform not in TRANSFORMS]
    if unknown:
        raise TrainingError(f"{COEFFICIENTS_SEED}: unknown transform for {', '.join(unknown)}")
    return specs


def read_training_frame(database: Path, specs: list[FeatureSpec]) -> pd.DataFrame:
    """Account-months with an observed outcome: the label and one column per feature."""
    with duckdb.connect(str(database), read_only=True) as connection:
        outcomes = connection.execute(
            f"select account_id, month, churned_90d from {OUTCOMES} where is_outcome_observed"
        ).df()
        columns = {
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                FEATURES.split("."),
            ).fetchall()
        }
        missing = [spec.feature for spec in specs if spec.feature not in columns]
        if missing:
            raise TrainingError(f"{FEATURES} has no feature {', '.join(missing)}: build first")
        selected = ", ".join(f'"{spec.feature}"' for spec in specs)
        wide = connection.execute(
            f"select account_id, activity_date as month, {selected} from {FEATURES} "
            "where extract(day from activity_date) = 1"
        ).df()
    frame = outcomes.merge(wide, on=["account_id", "month"], how="inner")
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame.sort_values(["month", "account_id"]).reset_index(drop=True)


def split_windows(months: list[date], evaluation_months: int) -> Windows:
    """The last `evaluation_months` observed months are held out; training ends with the last
    month whose 90-day outcome (that month and the two after) ended before them."""
    ordered = sorted(set(months))
    if len(ordered) < evaluation_months + 6:
        raise TrainingError(
            f"{len(ordered)} months with a full 90-day outcome: need at least "
            f"{evaluation_months + 6} ({evaluation_months} held out, 3 of gap, 3 to train on)"
        )
    evaluation = ordered[-evaluation_months:]
    first = evaluation[0]
    limit = date(first.year - (first.month <= 3), (first.month - 4) % 12 + 1, 1)
    training = [month for month in ordered if month <= limit]
    return Windows(training[0], training[-1], evaluation[0], evaluation[-1])


def transformed(frame: pd.DataFrame, specs: list[FeatureSpec]) -> pd.DataFrame:
    columns = {}
    for spec in specs:
        values = frame[spec.feature].astype(float)
        # log1p of the value floored at 0, as the SQL (ln of a negative fails on PostgreSQL)
        columns[spec.feature] = (
            np.log1p(values.clip(lower=0)) if spec.transform == "log1p" else values
        )
    return pd.DataFrame(columns, index=frame.index)


def standardized(values: pd.DataFrame, center: pd.Series, scale: pd.Series) -> np.ndarray:
    """(value - center) / scale, a missing value as the center (0)."""
    return ((values - center) / scale).fillna(0.0).to_numpy()


def roc_auc(risk: np.ndarray, churned: np.ndarray) -> float:
    """Rank-sum AUC with average ranks for ties (as fct_health_backtest computes it)."""
    ranks = pd.Series(risk).rank(method="average").to_numpy()
    positives = int(churned.sum())
    negatives = len(churned) - positives
    rank_sum = ranks[churned == 1].sum() - positives * (positives + 1) / 2
    return float(rank_sum / (positives * negatives))


def fit(
    frame: pd.DataFrame,
    specs: list[FeatureSpec],
    evaluation_months: int = 9,
    regularization_c: float = 1.0,
) -> TrainedModel:
    # imported here: scikit-learn is the optional extra `train`, only csm train needs it
    from sklearn.linear_model import LogisticRegression

    windows = split_windows(list(frame["month"]), evaluation_months)
    in_training = frame["month"].between(windows.training_from, windows.training_to)
    train = frame[in_training]
    test = frame[frame["month"] >= windows.evaluation_from]
    labels = train["churned_90d"].to_numpy()
    if labels.sum() == 0 or labels.sum() == len(labels):
        raise TrainingError("the training months hold no churn (or only churn): nothing to learn")
    values = transformed(train, specs)
    center = values.mean()
    scale = values.std(ddof=0).replace(0.0, 1.0).fillna(1.0)
    center = center.fillna(0.0)
    model = LogisticRegression(C=regularization_c, max_iter=5000)
    model.fit(standardized(values, center, scale), labels)
    coefficients = pd.DataFrame(
        {
            "feature": [spec.feature for spec in specs],
            "transform": [spec.transform for spec in specs],
            "center": center.to_numpy(),
            "scale": scale.to_numpy(),
            "coefficient": model.coef_[0],
        }
    )
    held_out = standardized(transformed(test, specs), center, scale)
    probability = 1.0 / (1.0 + np.exp(-(held_out @ model.coef_[0] + model.intercept_[0])))
    outcome = test["churned_90d"].to_numpy()
    return TrainedModel(
        coefficients=coefficients,
        intercept=float(model.intercept_[0]),
        regularization_c=regularization_c,
        windows=windows,
        training_rows=len(train),
        training_churn_rate=float(labels.mean()),
        evaluation_auc=roc_auc(probability, outcome),
        evaluation_brier=float(np.mean((probability - outcome) ** 2)),
    )


def write_seeds(project: Path, trained: TrainedModel, trained_at: datetime | None = None) -> None:
    """The coefficients and the model row, full precision (repr of the doubles)."""
    with (project / COEFFICIENTS_SEED).open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COEFFICIENT_COLUMNS)
        for row in trained.coefficients.itertuples(index=False):
            numbers = (row.center, row.scale, row.coefficient)
            writer.writerow([row.feature, row.transform, *(repr(float(n)) for n in numbers)])
    stamp = (trained_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S")
    windows = trained.windows
    with (project / MODEL_SEED).open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(MODEL_COLUMNS)
        writer.writerow(
            [
                repr(trained.intercept),
                repr(trained.regularization_c),
                stamp,
                windows.training_from.isoformat(),
                windows.training_to.isoformat(),
                windows.evaluation_from.isoformat(),
                windows.evaluation_to.isoformat(),
                trained.training_rows,
                repr(trained.training_churn_rate),
                repr(trained.evaluation_auc),
                repr(trained.evaluation_brier),
            ]
        )


def summary(trained: TrainedModel) -> str:
    windows = trained.windows
    lines = [
        f"trained on {trained.training_rows} account-months "
        f"({windows.training_from:%Y-%m} to {windows.training_to:%Y-%m}, "
        f"churn rate {trained.training_churn_rate:.1%})",
        f"out of time ({windows.evaluation_from:%Y-%m} to {windows.evaluation_to:%Y-%m}): "
        f"AUC {trained.evaluation_auc:.3f}, Brier {trained.evaluation_brier:.4f}",
        f"intercept {trained.intercept:+.3f}; coefficients (per standard deviation):",
    ]
    ordered = trained.coefficients.reindex(
        trained.coefficients["coefficient"].abs().sort_values(ascending=False).index
    )
    lines += [f"  {row.feature:<26} {row.coefficient:+.3f}" for row in ordered.itertuples()]
    return "\n".join(lines)
