"""Synthetic raw extracts of a B2B SaaS company, shaped exactly like the source contract.

`generate(out_dir, scale, seed, end_date, months)` writes every contract table under
`out_dir/<table>/*.parquet` (product_events one file per month) plus `_generation.json`
with the arguments, row counts and planted-defect counts. A hidden per-account health
drives usage, support, surveys, billing and churn, so the marts have a story to tell.
"""

from csm.generator.config import SCALES, ScaleConfig
from csm.generator.pipeline import GENERATION_FILE, generate

__all__ = ["GENERATION_FILE", "SCALES", "ScaleConfig", "generate"]
