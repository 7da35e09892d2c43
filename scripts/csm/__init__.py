"""customer_success runner: synthetic extracts, input checks and dbt orchestration."""

__version__ = "0.1.0"
